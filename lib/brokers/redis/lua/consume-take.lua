--[[
  Takes the next messages for a strict-priority consumer's idle slots and records each as
  in flight, in one atomic step (kombu's BRPOP followed by MULTI ZADD/HSET loses the
  message if the worker dies in between; here there is no "in between"). The same call
  first acks the slots' previous messages, so a busy worker costs one round trip per
  batch of slots that finished together, and one per task at concurrency 1.

  Input:
    KEYS[1]      unacked hash (kombu layout: delivery_tag -> JSON [payload, exchange, routing_key])
    KEYS[2]      unacked_index zset (delivery_tag scored by the delivery's unix time, seconds)
    KEYS[3..n]   the step lists to try, most urgent first (the caller drops paused queues)
    ARGV[1]      now, unix seconds (float), the unacked_index score kombu writes
    ARGV[2]      a fresh, unique prefix for tags of messages that carry none (foreign or broken payloads)
    ARGV[3]      how many messages to take (0: only ack)
    ARGV[4]      how many delivery tags to ack first (a)
    ARGV[5..4+a] those tags
    ARGV[5+a..]  the kombu queue (routing key) of each list, parallel to KEYS[3..n]

  Output: a flat array, per message taken, in delivery order:
    index of its list in KEYS (3-based), the payload exactly as stored, its delivery tag
  (empty when every list is empty or none is given).

  The payload is embedded byte-for-byte into the unacked entry, so kombu's restore (and
  ours) re-reads exactly what the producer wrote. The entry names the list's own queue
  with the default exchange: kombu's restore then puts the message back where it was
  taken from, whatever routing its producer used.
]]
local acks = tonumber(ARGV[4])
for i = 5, 4 + acks do
  redis.call('HDEL', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
end
local wanted = tonumber(ARGV[3])
if wanted < 1 or #KEYS < 3 then return {} end
local queue_at = 5 + acks - 3

local out = {}
local taken = 0
local quoted_queue = {}

-- kombu and Triage both end an envelope with its delivery tag ('..."delivery_tag": "<tag>"}}'),
-- so the tag of a well-formed message is read off its last bytes instead of decoding ~2 KB of JSON.
local function tag_of(payload)
  if string.byte(payload, 1) ~= 123 then return nil end -- '{'
  local from = #payload - 120
  if from < 1 then from = 1 end
  return string.match(payload, '"delivery_tag": ?"([^"\\]+)"}}%s*$', from)
end

local function record(index, payload)
  taken = taken + 1
  local tag = tag_of(payload)
  local entry_payload = payload
  if not tag then
    local ok, envelope = pcall(cjson.decode, payload)
    if ok and type(envelope) == 'table' then
      local props = envelope['properties']
      if type(props) == 'table' and type(props['delivery_tag']) == 'string' and props['delivery_tag'] ~= '' then
        tag = props['delivery_tag']
      end
    else
      -- Not a JSON object: keep it (as a JSON string) so it is never lost; the worker
      -- dead-letters it right away.
      entry_payload = cjson.encode(payload)
    end
    if not tag then tag = ARGV[2] .. ':' .. taken end
  end
  local queue = quoted_queue[index]
  if not queue then
    queue = cjson.encode(ARGV[queue_at + index])
    quoted_queue[index] = queue
  end
  redis.call('ZADD', KEYS[2], ARGV[1], tag)
  redis.call('HSET', KEYS[1], tag, '[' .. entry_payload .. ',"",' .. queue .. ']')
  out[#out + 1] = index
  out[#out + 1] = payload
  out[#out + 1] = tag
end

local function index_of(key)
  for i = 3, #KEYS do
    if KEYS[i] == key then return i end
  end
end

if redis.REDIS_VERSION_NUM and redis.REDIS_VERSION_NUM >= 0x070000 then
  -- LMPOP scans the lists in order inside the server, far cheaper than a call per list;
  -- it pops from one list per call, so a batch crossing into a less urgent list loops.
  local args = { 'LMPOP', #KEYS - 2 }
  for i = 3, #KEYS do args[#args + 1] = KEYS[i] end
  args[#args + 1] = 'RIGHT'
  args[#args + 1] = 'COUNT'
  local count_at = #args + 1
  while taken < wanted do
    args[count_at] = wanted - taken
    local popped = redis.call(unpack(args))
    if not popped then break end
    local index = index_of(popped[1])
    for _, payload in ipairs(popped[2]) do record(index, payload) end
  end
else
  for i = 3, #KEYS do
    while taken < wanted do
      local payload = redis.call('RPOP', KEYS[i])
      if not payload then break end
      record(i, payload)
    end
    if taken >= wanted then break end
  end
end
return out
