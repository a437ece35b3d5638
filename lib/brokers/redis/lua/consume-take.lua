--[[
  Takes the next message of a strict-priority consumer and records it as in flight, in one
  atomic step (kombu's BRPOP followed by MULTI ZADD/HSET loses the message if the worker
  dies in between; here there is no "in between"). The same call first acks the slot's
  previous message, so a busy slot costs one round trip per task.

  Input:
    KEYS[1]      unacked hash (kombu layout: delivery_tag -> JSON [payload, exchange, routing_key])
    KEYS[2]      unacked_index zset (delivery_tag scored by the delivery's unix time, seconds)
    KEYS[3..n]   the step lists to try, most urgent first (the caller drops paused queues)
    ARGV[1]      now, unix seconds (float), the unacked_index score kombu writes
    ARGV[2]      a fresh delivery tag, used only when the message carries none (foreign or broken payloads)
    ARGV[3]      delivery tag of a handled message to ack first, or ''
    ARGV[4..n+1] the kombu queue (routing key) of each list, parallel to KEYS[3..n]

  Output: false when every list is empty (or none is given); otherwise
    { index of the list in KEYS (3-based), the payload exactly as stored, the delivery tag }

  The payload is embedded byte-for-byte into the unacked entry, so kombu's restore (and
  ours) re-reads exactly what the producer wrote.
]]
if ARGV[3] ~= '' then
  redis.call('HDEL', KEYS[1], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[3])
end
if #KEYS < 3 then return false end

local index, payload
if redis.REDIS_VERSION_NUM and redis.REDIS_VERSION_NUM >= 0x070000 then
  -- One LMPOP scans the lists in order inside the server, far cheaper than a call per list.
  local args = { 'LMPOP', #KEYS - 2 }
  for i = 3, #KEYS do args[#args + 1] = KEYS[i] end
  args[#args + 1] = 'RIGHT'
  local popped = redis.call(unpack(args))
  if not popped then return false end
  payload = popped[2][1]
  for i = 3, #KEYS do
    if KEYS[i] == popped[1] then index = i break end
  end
else
  for i = 3, #KEYS do
    payload = redis.call('RPOP', KEYS[i])
    if payload then index = i break end
  end
  if not payload then return false end
end

local tag = ARGV[2]
local exchange = ''
local routing_key = ARGV[index + 1]
local entry_payload
local ok, envelope = pcall(cjson.decode, payload)
if ok and type(envelope) == 'table' then
  entry_payload = payload
  local props = envelope['properties']
  if type(props) == 'table' then
    if type(props['delivery_tag']) == 'string' and props['delivery_tag'] ~= '' then tag = props['delivery_tag'] end
    local info = props['delivery_info']
    if type(info) == 'table' then
      if type(info['exchange']) == 'string' then exchange = info['exchange'] end
      if type(info['routing_key']) == 'string' and info['routing_key'] ~= '' then routing_key = info['routing_key'] end
    end
  end
else
  -- Not a JSON object: keep it (as a JSON string) so it is never lost; the worker
  -- dead-letters it right away.
  entry_payload = cjson.encode(payload)
end
local entry = '[' .. entry_payload .. ',' .. cjson.encode(exchange) .. ',' .. cjson.encode(routing_key) .. ']'
redis.call('ZADD', KEYS[2], ARGV[1], tag)
redis.call('HSET', KEYS[1], tag, entry)
return { index, payload, tag }
