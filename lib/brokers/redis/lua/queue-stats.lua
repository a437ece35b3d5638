--[[
  Reads the depth and the age stamp of the oldest message of many priority-step lists in
  one round trip, without shipping whole payloads back to the client.

  Input:
    KEYS[1..n]  the step lists, in any order
    ARGV[1]     the header whose value stamps a message's enqueue time (triage_enqueued_at)
    ARGV[2..]   1-based indexes into KEYS of the lists whose stamp is wanted (reading a
                tail message costs ~10x an LLEN, so callers ask only for stale ones)

  Output: a flat array, two entries per key, in KEYS order:
    LLEN of the key,
    the stamp of its tail element (the next one a worker pops), or false when the list is
    empty, the message carries no stamp (Celery's own producers add none) or the stamp was
    not asked for.

  Cost: O(n) in the number of keys plus O(wanted stamps), independent of list lengths
  (LINDEX -1 reads the tail).
]]
local out = {}
local needle = '"' .. ARGV[1] .. '"'
-- A plain find (a memory search) first: a pattern match tried at every offset of a
-- multi-kilobyte envelope made this script cost ~10 us per list. Only the few bytes after
-- the header name go through the pattern (kombu's restores write '": "' with a space).
local function stamp_of(tail)
  local at = string.find(tail, needle, 1, true)
  if not at then return false end
  return string.match(tail, '^%s*:%s*"([^"]*)"', at + #needle) or false
end
local wanted = {}
for i = 2, #ARGV do wanted[tonumber(ARGV[i])] = true end
for i, key in ipairs(KEYS) do
  local len = redis.call('LLEN', key)
  out[#out + 1] = len
  if len > 0 and wanted[i] then
    out[#out + 1] = stamp_of(redis.call('LINDEX', key, -1))
  else
    out[#out + 1] = false
  end
end
return out
