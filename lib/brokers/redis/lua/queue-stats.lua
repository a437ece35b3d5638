--[[
  Reads the depth and the age stamp of the oldest message of many priority-step lists in
  one round trip, without shipping whole payloads back to the client.

  Input:
    KEYS[1..n]  the step lists, in any order
    ARGV[1]     the header whose value stamps a message's enqueue time (triage_enqueued_at)

  Output: a flat array, two entries per key, in KEYS order:
    LLEN of the key,
    the stamp of its tail element (the next one a worker pops), or false when the list is
    empty or the message carries no stamp (Celery's own producers add none).

  Cost: O(n) in the number of keys, independent of list lengths (LINDEX -1 reads the tail).
]]
local out = {}
local pattern = '"' .. ARGV[1] .. '"%s*:%s*"([^"]*)"'
for i, key in ipairs(KEYS) do
  local len = redis.call('LLEN', key)
  out[#out + 1] = len
  if len > 0 then
    local tail = redis.call('LINDEX', key, -1)
    local stamp = string.match(tail, pattern)
    if stamp then out[#out + 1] = stamp else out[#out + 1] = false end
  else
    out[#out + 1] = false
  end
end
return out
