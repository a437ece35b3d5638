--[[
  Moves up to ARGV[1] messages from the tail of a source list (the next ones a worker pops)
  to the head of a target list (the back of its FIFO), oldest first, rewriting each
  envelope on the server, so no payload crosses the network. One atomic step: after the
  call a message is in the source or in the target, never in both and never in neither.

  The rewrite is envelope.ts's peekedPayload done on the text: `properties.priority` is
  replaced by the new one unless ARGV[5] says the message keeps its own, and
  `properties.delivery_info.routing_key` becomes the target queue. Every other byte stays
  (spacing, key order, number spelling), so a kombu envelope changes only in those values.
  The script edits only envelopes shaped as kombu and Triage write them (see rewrite());
  any other element is "hard": the call stops before it, leaving it at the tail for the
  caller, which moves it with the Node rewrite (JSON.parse/JSON.stringify, or the exact
  bytes when it is not a JSON object). Order is kept either way.

  Only the `properties` member is examined, not the whole text, so a payload whose
  earlier part is not valid JSON but which ends in a well-formed `properties` object has
  that object rewritten where Node would move it unchanged; kombu cannot read it either way.

  Input:
    KEYS[1]   the source list
    KEYS[2]   the target list (never KEYS[1])
    ARGV[1]   how many messages to take at most
    ARGV[2]   the target queue (routing key), raw
    ARGV[3]   the same as a JSON string literal, as it is written into the envelope
    ARGV[4]   the new priority as JSON text (an integer); '' when the move keeps every
              message's own priority: a message ARGV[5] does not keep is then hard (it
              belongs in another target list, which the caller picks)
    ARGV[5]   ten characters, one per kombu effective priority 0..9: '1' where a message
              with that priority keeps it and goes to KEYS[2]

    ARGV[6..] optional, for a move whose messages were recorded before it (undo): the SHA-1
              of each element the caller read and recorded, head → tail as LRANGE gives
              them (ARGV[1] is then their count). Only those move: consumers may have
              popped some of them meanwhile (the rest, still at the tail, move), but an
              element at the tail that is not among them stops the call (stale), so
              nothing moves that was not recorded first.

  Output: { moved, hard, stale }: hard is 1 when the call stopped before a hard element
  (then at the tail), 0 when it took ARGV[1] messages or emptied the list; stale is 1 when
  it stopped at an element that was not recorded.

  Cost: O(taken), a few plain searches and one string built per message (no JSON
  decoding); the caller keeps ARGV[1] to hundreds.
]]
local byte, find, match, sub = string.byte, string.find, string.match, string.sub

local want = tonumber(ARGV[1])
local queue, queueJson, priorityJson, keep = ARGV[2], ARGV[3], ARGV[4], ARGV[5]

-- A quote right after a backslash is escaped: `"key"` found there is the end of a longer string.
local function escaped(raw, at)
  return at > 1 and byte(raw, at - 1) == 92
end

-- Where the value of `key` (a quoted literal) starts, if it occurs exactly once in [from, to).
local function uniqueKey(raw, key, from, to)
  local s, e = find(raw, key, from, true)
  if not s or e >= to or escaped(raw, s) then return nil end
  local again = find(raw, key, e + 1, true)
  if again and again < to then return nil end
  return e + 1
end

-- How many times the character `c` occurs in [from, to).
local function count(raw, c, from, to)
  local n, at = 0, find(raw, c, from, true)
  while at and at < to do
    n = n + 1
    at = find(raw, c, at + 1, true)
  end
  return n
end

-- The last occurrence of `needle`, looked for near the end first (where `properties` sits).
local function last(raw, needle)
  local found
  for _, from in ipairs({ math.max(1, #raw - 1024), 1 }) do
    local at = find(raw, needle, from, true)
    while at do
      found = at
      at = find(raw, needle, at + 1, true)
    end
    if found then return found end
  end
  return nil
end

-- The payload to push, or nil when the message is hard.
local function rewrite(raw)
  -- kombu and Triage write `properties` as the envelope's last member: its value is the
  -- balanced object right before the closing brace, holding one nested object
  -- (`delivery_info`). With exactly two braces of each kind in it, no string in it holds a
  -- brace, so the balanced spans found here are its real structure. Nothing else is parsed:
  -- the body and headers are most of the bytes.
  local at = last(raw, '"properties"')
  if not at or escaped(raw, at) then return nil end
  local ps, pe = match(raw, '^"properties"%s*:%s*()%b{}()%s*}%s*$', at)
  if not ps or count(raw, '{', ps, pe) ~= 2 or count(raw, '}', ps, pe) ~= 2 then return nil end
  -- A \u escape of an ASCII letter or '_' could spell a key the plain searches miss.
  local escape = find(raw, '\\u00', ps, true)
  while escape and escape < pe do
    if find(sub(raw, escape + 4, escape + 4), '[5-7]') then return nil end
    escape = find(raw, '\\u00', escape + 4, true)
  end
  local d = uniqueKey(raw, '"delivery_info"', ps, pe)
  if not d then return nil end
  local ds, de = match(raw, '^%s*:%s*(){[^{}]*}()', d)
  if not ds then return nil end
  -- properties.priority: an integer, outside delivery_info, so at the first level.
  local p = uniqueKey(raw, '"priority"', ps, pe)
  if not p or (p > ds and p < de) then return nil end
  local vs, digits, ve = match(raw, '^%s*:%s*()(%-?%d+)()[%s,}]', p)
  if not vs then return nil end
  -- delivery_info.routing_key: a string without escapes.
  local r = uniqueKey(raw, '"routing_key"', ds, de)
  if not r then return nil end
  local rs, routingKey, re = match(raw, '^%s*:%s*()"([^"\\]*)"()', r)
  if not rs then return nil end

  local effective = math.min(math.max(tonumber(digits), 0), 9)
  local stepOk = sub(keep, effective + 1, effective + 1) == '1'
  if stepOk then
    if routingKey == queue then return raw end
    return sub(raw, 1, rs - 1) .. queueJson .. sub(raw, re)
  end
  if priorityJson == '' then return nil end
  if vs < rs then return sub(raw, 1, vs - 1) .. priorityJson .. sub(raw, ve, rs - 1) .. queueJson .. sub(raw, re) end
  return sub(raw, 1, rs - 1) .. queueJson .. sub(raw, re, vs - 1) .. priorityJson .. sub(raw, ve)
end

-- LRANGE returns head → tail: the oldest (next to pop) is the last element.
local window = redis.call('LRANGE', KEYS[1], -want, -1)
local out = {}
local hard, stale = 0, 0
-- Recorded: the tail must be one of the recorded elements (those older were popped), and
-- from there on each next one the next recorded, newer.
local recorded = #ARGV > 5
local expect = 0
if recorded and #window > 0 then
  local tail = redis.sha1hex(window[#window])
  for j = #ARGV, 6, -1 do
    if ARGV[j] == tail then
      expect = j
      break
    end
  end
end
for i = #window, 1, -1 do
  if recorded then
    -- Past the newest recorded: done, unless nothing at the tail was recorded at all.
    if expect < 6 then
      if #out == 0 then stale = 1 end
      break
    end
    if redis.sha1hex(window[i]) ~= ARGV[expect] then
      stale = 1
      break
    end
    expect = expect - 1
  end
  local payload = rewrite(window[i])
  if not payload then
    hard = 1
    break
  end
  out[#out + 1] = payload
end

local moved = #out
if moved > 0 then
  redis.call('LTRIM', KEYS[1], 0, -moved - 1)
  -- An LPUSH of many values keeps their order (the first given is popped first); chunks
  -- stay far below Lua's limit on unpacked values.
  for from = 1, moved, 1000 do
    redis.call('LPUSH', KEYS[2], unpack(out, from, math.min(from + 999, moved)))
  end
end
return { moved, hard, stale }
