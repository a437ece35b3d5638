--[[
  Takes the next message of a strict-priority consumer and records it as in flight, in one
  atomic step (kombu's BRPOP followed by MULTI ZADD/HSET loses the message if the worker
  dies in between; here there is no "in between").

  Input:
    KEYS[1]      unacked hash (kombu layout: delivery_tag -> JSON [payload, exchange, routing_key])
    KEYS[2]      unacked_index zset (delivery_tag scored by the delivery's unix time, seconds)
    KEYS[3..n]   the step lists to try, most urgent first (the caller drops paused queues)
    ARGV[1]      now, unix seconds (float), the unacked_index score kombu writes
    ARGV[2]      a fresh delivery tag, used only when the message carries none (foreign or broken payloads)
    ARGV[3..n]   the kombu queue (routing key) of each list, parallel to KEYS[3..n]

  Output: false when every list is empty; otherwise
    { index of the list in KEYS (3-based), the payload exactly as stored, the delivery tag }

  The payload is embedded byte-for-byte into the unacked entry, so kombu's restore (and
  ours) re-reads exactly what the producer wrote.
]]
for i = 3, #KEYS do
  local payload = redis.call('RPOP', KEYS[i])
  if payload then
    local tag = ARGV[2]
    local exchange = ''
    local routing_key = ARGV[i]
    local entry_payload = nil
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
    return { i, payload, tag }
  end
end
return false
