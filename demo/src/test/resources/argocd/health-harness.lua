-- Runs an Argo CD health check the way Argo CD does: the object as the global `obj`, only the libraries Argo
-- CD's sandbox opens (no io, no os, no require), and the table it returns read as status and message.
-- usage: lua5.1 health-harness.lua CHECK.lua OBJECT.lua   (OBJECT.lua: `return { ... }`, the object as a table)
local check = assert(loadfile(arg[1]))
local obj = assert(loadfile(arg[2]))()
setfenv(check, {
  obj = obj, ipairs = ipairs, pairs = pairs, next = next, type = type, tostring = tostring,
  tonumber = tonumber, select = select, unpack = unpack, error = error, pcall = pcall,
  string = string, table = table, math = math,
})
local hs = check()
assert(type(hs) == "table", "the check returned no table")
io.write(tostring(hs.status), "\n", tostring(hs.message), "\n")
