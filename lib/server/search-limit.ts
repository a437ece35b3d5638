import { randomUUID } from 'node:crypto';
import { countInWindow } from '@/lib/redis/fixed-window';
import { TriageError, describeError } from '@/lib/shared/errors';
import type { TriageState } from '@/lib/state/triage-state';
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

// Only its own marker: after an expiry another search of this caller may hold the slot.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export async function limitedSearch<T>(
  state: Pick<TriageState, 'redis' | 'keys'>,
  limits: { maxPerMinute: number },
  actor: Pick<Actor, 'name' | 'via'>,
  work: () => Promise<T>,
): Promise<T> {
  const { redis, keys } = state;
  const caller = `${actor.via}:${actor.name}`;
  const running = keys.searchRunning(caller);
  const marker = randomUUID();
  const verdict = await countInWindow(redis, [{ key: keys.searchCount(caller), limit: limits.maxPerMinute }], WINDOW_SEC, {
    key: running,
    value: marker,
    ttlSec: RUNNING_TTL_SEC,
  }).catch((error: unknown) => {
    throw new TriageError('UNAVAILABLE', `the search limit could not be read: ${describeError(error)}`);
  });
  if (!verdict.admitted) {
    if (verdict.waitMs <= 0) throw throttled('your previous search is still running; one search at a time', BUSY_RETRY_SEC);
    const retryAfter = Math.max(1, Math.ceil(verdict.waitMs / 1000));
    throw throttled(`at most ${limits.maxPerMinute} searches a minute; try again in ${retryAfter} s`, retryAfter);
  }
  try {
    return await work();
  } finally {
    await redis.eval(RELEASE, 1, running, marker).catch(() => {});
  }
}
