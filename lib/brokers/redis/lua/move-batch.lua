--[[
  Moves one bounded batch of messages out of a source list, atomically: each message is
  removed from the source by its exact bytes and, only if it was still there, pushed onto
  the head of its target list (the back of that list's FIFO). A message is therefore in
  the source or in its target after the call, never in both and never in neither.

  Input:
    KEYS[1]      the source list
    KEYS[2..n]   the target lists (any may equal another; none equals KEYS[1])
    ARGV         triplets, oldest message first:
                   ARGV[3i+1] the payload exactly as stored in the source
                   ARGV[3i+2] index into KEYS of its target list (2..n)
                   ARGV[3i+3] the payload to push (may differ: rewritten priority/route)

  Output: the number of messages moved. A payload no longer in the source (a consumer
  popped it meanwhile) is skipped.

  Cost: O(batch) LREM/LPUSH calls. LREM with count -1 scans from the tail, where the
  caller takes its batch from, so each removal stops after the messages it skipped over;
  the caller keeps batches small (hundreds), never O(queue length) per call.
]]
local moved = 0
for i = 1, #ARGV, 3 do
  local removed = redis.call('LREM', KEYS[1], -1, ARGV[i])
  if removed == 1 then
    redis.call('LPUSH', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2])
    moved = moved + 1
  end
end
return moved
