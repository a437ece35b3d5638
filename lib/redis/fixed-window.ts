import type { Redis } from 'ioredis';

/**
 * Fixed-window counters in one Redis script, so concurrent callers cannot all slip under a
 * limit: every counter is read first (a key of another type fails the script with nothing
 * counted); if one is at its limit nothing is counted and the caller is told how long that
 * window still runs; otherwise every counter is counted and its window starts if it had none.
 * An optional lock key, checked before anything and set on success, makes "one at a time"
 * part of the same step (the search limit).
 *
 * KEYS: the counters, then the lock key when ARGV[2] is not ''.
 * ARGV: window (s), lock value ('' = no lock), lock ttl (s), then each counter's limit
 *       (-1 = counted but never refuses).
 * → {0, 0} the lock is held; {0, ms until the longest refusing window ends};
 *   {1, the last counter's count after this one}.
 */
const COUNT_LUA = `
local locked = ARGV[2] ~= ''
local counters = locked and #KEYS - 1 or #KEYS
if locked and redis.call('EXISTS', KEYS[#KEYS]) == 1 then return {0, 0} end
local counts = {}
for i = 1, counters do counts[i] = tonumber(redis.call('GET', KEYS[i]) or '0') end
local blocked = false
local wait = 0
for i = 1, counters do
  local limit = tonumber(ARGV[3 + i])
  if limit >= 0 and counts[i] >= limit then blocked = true; wait = math.max(wait, redis.call('PTTL', KEYS[i])) end
end
if blocked then return {0, wait} end
for i = 1, counters do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[1], 'NX')
end
if locked then redis.call('SET', KEYS[#KEYS], ARGV[2], 'EX', ARGV[3]) end
return {1, tonumber(redis.call('GET', KEYS[counters]))}
`;

export interface WindowCounter {
  key: string;
  /** Refuses once the window holds this many; null: counted, never refuses. */
  limit: number | null;
}

/** Refused: `waitMs` until the refusing window ends, 0 when the lock is held (or a window has no expiry). */
export type WindowVerdict = { admitted: true; lastCount: number } | { admitted: false; waitMs: number };

/** Counts one attempt against every counter (and takes the lock), or refuses it with nothing counted. */
export async function countInWindow(
  redis: Redis,
  counters: readonly WindowCounter[],
  windowSec: number,
  lock?: { key: string; value: string; ttlSec: number },
): Promise<WindowVerdict> {
  const keys = [...counters.map((c) => c.key), ...(lock ? [lock.key] : [])];
  const limits = counters.map((c) => c.limit ?? -1);
  const [admitted, value] = (await redis.eval(COUNT_LUA, keys.length, ...keys, windowSec, lock?.value ?? '', lock?.ttlSec ?? 0, ...limits)) as [number, number];
  if (admitted === 1) return { admitted: true, lastCount: value };
  return { admitted: false, waitMs: value };
}
