--[[
  Removes one bounded batch of messages from a list by their exact bytes (the caller has
  already stored them elsewhere: archive, another broker, the original queue on retry).

  Input:
    KEYS[1]      the list
    ARGV[1..n]   payloads exactly as stored, oldest first; a payload present twice in the
                 list and twice in ARGV removes both copies

  Output: an array of n integers, 1 where that payload was removed, 0 where it was gone
  already (a consumer popped it meanwhile).

  Cost: O(n) LREM calls, each scanning from the tail where the caller's batch sits.
]]
local out = {}
for i = 1, #ARGV do
  out[i] = redis.call('LREM', KEYS[1], -1, ARGV[i])
end
return out
