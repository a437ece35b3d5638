--[[
  Reads, without taking them, the messages pushed onto each list since its marker: the
  standing rules' view of arriving work (lib/brokers/redis/control/arrivals.ts).

  Producers LPUSH onto a list's head and consumers pop its tail, so everything between the
  head and the marker (the newest message seen last time that stayed) arrived since. A
  marker that is gone was popped, and every older message before it: then the whole list
  is new.

  Input:
    KEYS[1..n]   the lists
    ARGV[1]      most messages returned per list (the oldest of the new ones first)
    ARGV[2..n+1] each list's marker, exactly as stored; '' = none (the whole list is new)

  Output: per list, an array {found, from, m1, m2, ...}: found is 1 when the marker was
  still there, 0 otherwise; m1.. are the new messages head → tail (newest first), m1 at
  position `from` from the head.

  Cost: O(new messages) per list while the marker is near the head, which is where it
  stays as long as the loop keeps up; an empty list or no arrivals is O(1).
]]
local limit = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local marker = ARGV[i + 1]
  local index = false
  if marker ~= '' then index = redis.call('LPOS', key, marker) end
  local found = 1
  if not index then
    found = 0
    index = redis.call('LLEN', key)
  end
  local from = math.max(0, index - limit)
  local entry = { found, from }
  if index > 0 then
    local items = redis.call('LRANGE', key, from, index - 1)
    for _, item in ipairs(items) do entry[#entry + 1] = item end
  end
  out[i] = entry
end
return out
