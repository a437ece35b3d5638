--[[
  Moves due delayed messages (retries with a countdown, tasks with a future eta) onto
  their lists, atomically per call, so a message is always either in the delayed set or
  in its list.

  Input:
    KEYS[1]   delayed zset; member = '<len>:<list key><payload>', score = due time (ms)
    ARGV[1]   now (ms)
    ARGV[2]   at most this many messages per call

  Output: the number of messages moved.

  The list keys are read from the members (not declared in KEYS): Triage's queues live on
  one Redis server, never a cluster.
]]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local colon = string.find(member, ':', 1, true)
  local len = tonumber(string.sub(member, 1, colon - 1))
  local key = string.sub(member, colon + 1, colon + len)
  local payload = string.sub(member, colon + len + 1)
  -- LPUSH: the back of its list, like any new message of its priority.
  redis.call('LPUSH', key, payload)
  redis.call('ZREM', KEYS[1], member)
end
return #due
