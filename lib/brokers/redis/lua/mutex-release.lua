--[[
  Releases a lock taken with SET key token PX ttl NX, only if we still hold it (redis-py
  Lock's compare-and-delete, which kombu's unacked_mutex uses).

  Input:  KEYS[1] the lock key; ARGV[1] our token
  Output: 1 if released, 0 if the lock had expired or belongs to someone else.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
