import { Redis, type RedisOptions } from 'ioredis';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';
import { parseSentinelUrl } from './target';

/**
 * The ioredis helpers both Triage's state (lib/state) and the Redis broker adapter
 * (lib/brokers/redis) use, so the two never drift apart in how they connect or what
 * they call "unreachable".
 */

export interface RedisConnectionOptions {
  /** Shown in `CLIENT LIST`, so an operator can tell Triage's connections apart. */
  name: string;
  onError?: (error: Error) => void;
  /**
   * While the server is down: `fail` answers every command at once (a dashboard request must
   * say "unavailable" now, not hang); `wait` holds commands until it is back (a worker must
   * not ack a task whose record could not be written, so it waits instead of failing).
   */
  whileDown?: 'fail' | 'wait';
}

/**
 * A client for `url`, a plain Redis URL or a `sentinel://` one (target.ts). Through Sentinel,
 * ioredis asks the sentinels for the master, and after a failover (its connection to the old
 * master lost, or a write refused READONLY by a demoted one) asks again and reconnects to the
 * new one; commands in flight then fail or wait as `options` say, like any reconnect.
 */
export function newRedis(url: string, options: RedisOptions): Redis {
  const sentinel = parseSentinelUrl(url);
  if (!sentinel) return new Redis(url, options);
  const { sentinels, name, db, username, password, sentinelPassword } = sentinel;
  return new Redis({
    ...options,
    sentinels,
    name,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    // A master demoted by a failover (SENTINEL FAILOVER, or one that came back) answers
    // writes with READONLY while still reachable: reconnect (asking the sentinels again) and
    // resend the command.
    reconnectOnError: (error) => (/READONLY/.test(error.message) ? 2 : false),
    sentinelRetryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
  });
}

/**
 * A Redis client that, while the server is down, fails fast or waits (`whileDown`, fail by
 * default) and keeps reconnecting in the background, so a Redis restart needs no Triage restart.
 */
export function createRedisClient(url: string, options: RedisConnectionOptions): Redis {
  const waits = options.whileDown === 'wait';
  const client = newRedis(url, {
    connectionName: options.name,
    enableOfflineQueue: waits,
    maxRetriesPerRequest: waits ? null : 1,
    // Capped backoff: quick to notice a restarted server, gentle on a dead one.
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 3000),
    connectTimeout: 3000,
    lazyConnect: true,
  });
  // Without a listener ioredis prints every failed reconnect as an unhandled error.
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}

/** Connects if not yet connected; never throws (a down server is retried in the background). */
export async function startClient(client: Redis): Promise<void> {
  if (client.status !== 'wait') return;
  try {
    await client.connect();
  } catch {
    // retryStrategy keeps trying; callers see UNAVAILABLE until it succeeds.
  }
}

/** Whether an ioredis error means the server cannot be reached (rather than a refused command or a bug). */
export function isConnectionError(error: unknown): boolean {
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|ETIMEDOUT|ECONNRESET|max retries|enableOfflineQueue|connect/i.test(describeError(error));
}

/**
 * Runs a Redis call, turning a connection failure into TriageError('UNAVAILABLE') (503) with
 * `what` named, so "cannot reach it now" is never mistaken for a bug (500) or a refusal.
 */
export async function unavailableWhenUnreachable<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isTriageError(error) || !isConnectionError(error)) throw error;
    throw new TriageError('UNAVAILABLE', `${what} is unreachable: ${describeError(error)}`);
  }
}
