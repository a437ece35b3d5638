--[[
  Moves one bounded batch of messages out of a source list, atomically: each message is
  removed from the source by its exact bytes and, only if it was still there, pushed onto
  its target list. A message is therefore in the source or in its target after the call,
  never in both and never in neither.

  ARGV[1] says which end of the target the messages join, and so which end of the source
  the caller read them from (LREM then scans from there and stops early):
    "back"   LPUSH onto the target's head, behind what it holds (FIFO). The caller read
             the batch from the source's tail and passes it oldest first.
    "front"  RPUSH onto the target's consuming end, popped before what it holds (a
             restore). The caller read the batch from the source's head and passes it
             newest first; batch after batch towards the tail, the source's messages end
             up at the front of each target in their original order (the oldest first).
    "arrived"  LPUSH onto the target's head like "back", but LREM scans the source from
             its head: the batch is messages that just arrived (a standing rule), oldest
             first.

  Input:
    KEYS[1]      the source list
    KEYS[2..n]   the target lists (any may equal another; none equals KEYS[1])
    ARGV[1]      "back", "front" or "arrived"
    ARGV[2..]    triplets, in the order above:
                   ARGV[3i+2] the payload exactly as stored in the source
                   ARGV[3i+3] index into KEYS of its target list (2..n)
                   ARGV[3i+4] the payload to push (may differ: rewritten priority/route)

  Output: the number of messages moved. A payload no longer in the source (a consumer
  popped it meanwhile) is skipped.

  Cost: O(batch) LREM/push calls. LREM scans from the end the caller took its batch from,
  so each removal stops after the messages it skipped over; the caller keeps batches small
  (hundreds), never O(queue length) per call.
]]
local front = ARGV[1] == 'front'
-- LREM count -1 scans from the tail, 1 from the head.
local scan = (front or ARGV[1] == 'arrived') and 1 or -1
local push = front and 'RPUSH' or 'LPUSH'
local moved = 0
for i = 2, #ARGV, 3 do
  local removed = redis.call('LREM', KEYS[1], scan, ARGV[i])
  if removed == 1 then
    redis.call(push, KEYS[tonumber(ARGV[i + 1])], ARGV[i + 2])
    moved = moved + 1
  end
end
return moved
