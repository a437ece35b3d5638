--[[
  Removes arrived messages from a list by their exact bytes (the caller has archived them).
  Like remove-batch.lua, but LREM scans from the head, where arrivals sit.

  Input:
    KEYS[1]      the list
    ARGV[1..n]   payloads exactly as stored

  Output: an array of n integers, 1 where that payload was removed, 0 where it was gone
  already (a consumer popped it meanwhile).
]]
local out = {}
for i = 1, #ARGV do
  out[i] = redis.call('LREM', KEYS[1], 1, ARGV[i])
end
return out
