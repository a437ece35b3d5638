--[[
  Settles one in-flight message: removes it from kombu's unacked bookkeeping and, in the
  same atomic step, optionally pushes a new message (a dead-letter copy, or an immediate
  retry) and/or schedules one for later (a delayed retry). Nothing is ever in two places
  or in none.

  Input:
    KEYS[1]   unacked hash
    KEYS[2]   unacked_index zset
    KEYS[3]   list to LPUSH ARGV[2] onto ('' key name unused when ARGV[2] is '')
    KEYS[4]   delayed zset (score = due time, ms) for ARGV[4]
    KEYS[5]   binding set to SADD ARGV[5] into (declares the target queue like a Celery producer)
    ARGV[1]   delivery tag of the message being settled
    ARGV[2]   payload to LPUSH onto KEYS[3], or '' for none
    ARGV[3]   due time (ms) for the delayed member, or '' for none
    ARGV[4]   delayed member ('<len of list key>:<list key><payload>'), or ''
    ARGV[5]   binding member, or ''

  Output: 1 if the message was still in flight here, 0 if it was not (already acked, or
  restored by a visibility-timeout sweep); the pushes happen either way, since the
  handler did run.
]]
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] ~= '' then redis.call('LPUSH', KEYS[3], ARGV[2]) end
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4]) end
if ARGV[5] ~= '' then redis.call('SADD', KEYS[5], ARGV[5]) end
return removed
