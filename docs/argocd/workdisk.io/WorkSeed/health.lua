-- Argo CD health check for workdisk.io/WorkSeed (Lua 5.1, as Argo CD runs it; `obj` is the WorkSeed).
-- Install: docs/install.md#gitops. Tested by GitOpsHealthTest on statuses the operator really wrote.
--
-- Healthy     only a Ready status of the current generation: Ready=True, the seed on every matching node.
-- Degraded    a build or the image's resolution failed (SeedReasons.FAILED), also while a retry is due: the
--             message says where, why and when it is tried again.
-- Progressing everything on the way: no status yet, a status older than the spec (the operator has not seen
--             the change, or is down), resolving the image, building, no matching node yet, deleting.

local failed = {
  -- SeedReasons.FAILED
  BuildFailed = true, ResolveFailed = true,
}

local function condition(status, kind)
  if status == nil or status.conditions == nil then return nil end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then return c end
  end
  return nil
end

local function says(c, status)
  local text = c.reason or c.status or ""
  if c.message ~= nil and c.message ~= "" then text = text .. ": " .. c.message end
  if status.ready ~= nil and failed[c.reason] then text = text .. " (ready on " .. status.ready .. " nodes)" end
  return text
end

local hs = {}
local status = obj.status
local ready = condition(status, "Ready")
local generation = obj.metadata.generation

if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  if ready ~= nil and ready.reason == "Deleting" then
    hs.message = says(ready, status)
  else
    hs.message = "Deleting: waiting for the workdisk operator to remove the seed from its nodes"
  end
  return hs
end

if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the workdisk operator to report on this seed"
  return hs
end

local seen = status.observedGeneration
if ready ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < seen then
  seen = ready.observedGeneration
end
if generation ~= nil and seen < generation then
  hs.status = "Progressing"
  hs.message = "Generation " .. generation .. " not yet seen by the workdisk operator (its status is of generation "
    .. seen .. ")"
  if ready ~= nil then hs.message = hs.message .. "; last: " .. says(ready, status) end
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the workdisk operator to set the Ready condition"
  return hs
end

if failed[ready.reason] then
  hs.status = "Degraded"
elseif ready.status == "True" then
  hs.status = "Healthy"
else
  hs.status = "Progressing"
end
hs.message = says(ready, status)
return hs
