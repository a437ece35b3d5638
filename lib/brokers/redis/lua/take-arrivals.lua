--[[
  Takes arrived messages out of a list by their position, atomically, and pushes each onto
  its target list (or nowhere: the caller archived it). The standing rules' move
  (lib/brokers/redis/control/arrivals.ts).

  Positions count from the head, where producers push: consumers popping the tail never
  change them, only pushes since the read do, and all by the same amount. That shift is
  found once (LPOS of the newest message read); each message is then checked by its exact
  bytes at its shifted position (LINDEX), overwritten with a tombstone, and all tombstones
  go in one LREM from the head. A scan per message (LREM by value) would compare its bytes
  with every message pushed meanwhile: quadratic at thousands of arrivals a second.

  Input:
    KEYS[1]      the source list
    KEYS[2..n]   the target lists
    ARGV[1]      a tombstone, a value no message has
    ARGV[2]      the newest message read, exactly as stored
    ARGV[3]      its position at the read
    ARGV[4..]    quadruplets, oldest first:
                   ARGV[4i]   the payload exactly as stored
                   ARGV[4i+1] its position at the read
                   ARGV[4i+2] index into KEYS of its target (2..n), or 0: removed only
                   ARGV[4i+3] the payload to push ('' when removed only)

  Output: an array with one integer per quadruplet, 1 where it was taken, 0 where it was
  gone already (a consumer popped it).
]]
local out = {}
for i = 4, #ARGV, 4 do out[#out + 1] = 0 end
local at = redis.call('LPOS', KEYS[1], ARGV[2])
-- Gone: consumers popped past the newest message read, so every one read is gone too.
if not at then return out end
local shift = at - tonumber(ARGV[3])
local taken = 0
local n = 0
for i = 4, #ARGV, 4 do
  n = n + 1
  local position = tonumber(ARGV[i + 1]) + shift
  if redis.call('LINDEX', KEYS[1], position) == ARGV[i] then
    redis.call('LSET', KEYS[1], position, ARGV[1])
    out[n] = 1
    taken = taken + 1
  end
end
if taken == 0 then return out end
redis.call('LREM', KEYS[1], taken, ARGV[1])
n = 0
for i = 4, #ARGV, 4 do
  n = n + 1
  local target = tonumber(ARGV[i + 2])
  if out[n] == 1 and target > 0 then redis.call('LPUSH', KEYS[target], ARGV[i + 3]) end
end
return out
