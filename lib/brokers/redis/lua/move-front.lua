--[[
  Moves one bounded batch of messages from the head of a source list (its newest) to the
  consuming end of their target lists, atomically: each message is removed from the source
  by its exact bytes and, only if it was still there, RPUSHed onto its target, where it is
  popped before everything the target already held. Called with the newest message first,
  batch after batch towards the source's tail, it leaves the source's messages at the front
  of each target in their original order (the oldest popped first). A message is in the
  source or in its target after the call, never in both and never in neither.

  Input:
    KEYS[1]      the source list
    KEYS[2..n]   the target lists (any may equal another; none equals KEYS[1])
    ARGV         triplets, newest message first:
                   ARGV[3i+1] the payload exactly as stored in the source
                   ARGV[3i+2] index into KEYS of its target list (2..n)
                   ARGV[3i+3] the payload to push (may differ: rewritten priority/route)

  Output: the number of messages moved. A payload no longer in the source (a consumer
  popped it meanwhile) is skipped.

  Cost: O(batch) LREM/RPUSH calls. LREM with count 1 scans from the head, where the
  caller takes its batch from; the caller keeps batches to hundreds.
]]
local moved = 0
for i = 1, #ARGV, 3 do
  local removed = redis.call('LREM', KEYS[1], 1, ARGV[i])
  if removed == 1 then
    redis.call('RPUSH', KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2])
    moved = moved + 1
  end
end
return moved
