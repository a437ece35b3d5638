import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TriageError, describeError } from '@/lib/shared/errors';
import { stateKeys } from '@/lib/state/keys';
import type { Actor } from './auth';
import { throttled } from './errors';

/**
 * A search reads every listed queue, on RabbitMQ by fetching and requeueing up to 40,000
 * messages per broker (held from workers meanwhile, marked redelivered), so one viewer must
 * not run them back to back or side by side. Per caller (user name or token), on all replicas:
 * one search at a time, and at most `search.maxPerMinute` started a minute; otherwise 429
 * with Retry-After. A refused search starts nothing and uses up none of the minute's budget.
 */

const WINDOW_SEC = 60;
/** The running marker outlives its search only if the process died mid-search. */
const RUNNING_TTL_SEC = 300;
/** What a caller waiting for its own running search is told: searches take seconds. */
const BUSY_RETRY_SEC = 2;

// KEYS: running, count. ARGV: marker, max per window, window (s), running ttl (s).
// → {1, 0} started; {0, 0} one is running; {0, ms until the window ends} over the rate.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0} end
local n = tonumber(redis.call('GET', KEYS[2]) or '0')
if n >= tonumber(ARGV[2]) then return {0, redis.call('PTTL', KEYS[2])} end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
return {1, 0}
`;

// Only its own marker: after an expiry another search of this caller may hold the slot.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export async function limitedSearch<T>(
  redis: Redis,
  config: { statePrefix: string; search: { maxPerMinute: number } },
  actor: Pick<Actor, 'name' | 'via'>,
  work: () => Promise<T>,
): Promise<T> {
  const keys = stateKeys(config.statePrefix);
  const caller = `${actor.via}:${actor.name}`;
  const running = keys.searchRunning(caller);
  const marker = randomUUID();
  const [started, waitMs] = (await redis
    .eval(ACQUIRE, 2, running, keys.searchCount(caller), marker, config.search.maxPerMinute, WINDOW_SEC, RUNNING_TTL_SEC)
    .catch((error: unknown) => {
      throw new TriageError('UNAVAILABLE', `the search limit could not be read: ${describeError(error)}`);
    })) as [number, number];
  if (started !== 1) {
    if (waitMs <= 0) throw throttled('your previous search is still running; one search at a time', BUSY_RETRY_SEC);
    const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
    throw throttled(`at most ${config.search.maxPerMinute} searches a minute; try again in ${retryAfter} s`, retryAfter);
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, running, marker).catch(() => {});
  }
}
