-- Argo CD health check for workdisk.io/WorkDisk (Lua 5.1, as Argo CD runs it; `obj` is the WorkDisk).
-- Install: docs/install.md#gitops. Tested by GitOpsHealthTest on statuses the operator really wrote.
--
-- Healthy     only a Ready status of the current generation: Ready=True with reason Ready.
-- Degraded    a disk that waits for someone to act: phase Failed, or a reason of DiskReasons.TERMINAL, or an
--             engine reason that retrying cannot mend (one list below, kept equal to the API's by the test).
-- Progressing everything on the way: no status yet, a status older than the spec (the operator has not seen
--             the change, or is down), being made, resizing, retrying, waiting for room, a seed or a node,
--             deleting, a resize or deletion waiting for a pod to stop using the disk (InUse). The message says
--             which, in the operator's words.

local terminal = {
  -- DiskReasons.TERMINAL
  InvalidSpec = true, NodeLost = true, ShrinkRefused = true, ResizeFailed = true,
  -- the engine's reasons that retrying cannot mend (Problem with retryable=false), as condition reasons
  InvalidSize = true, InvalidPath = true, InvalidTask = true, OutsideDataRoot = true, NotOwned = true,
  NotFound = true, SourceInvalid = true, NotExt4 = true, CorruptImage = true, InvalidImage = true,
  SizeBelowSeed = true, FilesystemNotClean = true, UnsupportedFilesystem = true,
}

local function condition(status, kind)
  if status == nil or status.conditions == nil then return nil end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then return c end
  end
  return nil
end

local function says(c)
  if c == nil then return "" end
  local reason = c.reason or c.status or ""
  if c.message ~= nil and c.message ~= "" then return reason .. ": " .. c.message end
  return reason
end

local hs = {}
local status = obj.status
local ready = condition(status, "Ready")
local generation = obj.metadata.generation

if obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  if ready ~= nil and (ready.reason == "Deleting" or ready.reason == "Deleted" or ready.reason == "InUse") then
    hs.message = says(ready)
  else
    hs.message = "Deleting: waiting for the workdisk operator to remove the image (or retain it) first"
  end
  return hs
end

if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the workdisk operator to report on this disk"
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
  if ready ~= nil then hs.message = hs.message .. "; last: " .. says(ready) end
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the workdisk operator to set the Ready condition"
  return hs
end

if status.phase == "Failed" or terminal[ready.reason] then
  hs.status = "Degraded"
elseif ready.status == "True" and ready.reason == "Ready" then
  hs.status = "Healthy"
else
  hs.status = "Progressing"
end
hs.message = says(ready)
return hs
