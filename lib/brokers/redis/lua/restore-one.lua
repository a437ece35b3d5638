--[[
  Restores one expired in-flight message (kombu's restore_by_tag, without its WATCH race):
  only if the unacked entry is still exactly what the sweep read, it leaves unacked and is
  pushed back at the CONSUMING end of its own priority list, so it is delivered next.

  Input:
    KEYS[1]   unacked hash
    KEYS[2]   unacked_index zset
    KEYS[3]   the list of the message's own priority step (kombu >= 5.4 behaviour)
    ARGV[1]   delivery tag
    ARGV[2]   the unacked entry as read by the sweep
    ARGV[3]   the payload to push (marked redelivered)

  Output: 1 if restored, 0 if the entry changed or vanished meanwhile (acked: nothing to do).
]]
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[3])
return 1
