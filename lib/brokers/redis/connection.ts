import { Redis } from 'ioredis';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';

export interface RedisConnectionOptions {
  /** Shown in `CLIENT LIST`, so an operator can tell Triage's connections apart. */
  name: string;
  onError?: (error: Error) => void;
}

/**
 * A Redis client that fails fast while the server is down (no offline queue: a dashboard
 * request must answer "unavailable" now, not hang until the server returns) and keeps
 * reconnecting in the background, so a Redis restart needs no Triage restart.
 */
export function createRedisClient(url: string, options: RedisConnectionOptions): Redis {
  const client = new Redis(url, {
    connectionName: options.name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
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

/** Runs a Redis call, turning connection failures into TriageError('UNAVAILABLE'). */
export async function withRedis<T>(brokerId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isTriageError(error)) throw error;
    const message = describeError(error);
    if (isConnectionError(message)) {
      throw new TriageError('UNAVAILABLE', `Redis broker ${brokerId} is unreachable: ${message}`);
    }
    throw error;
  }
}

function isConnectionError(message: string): boolean {
  return /Stream isn't writeable|Connection is closed|ECONNREFUSED|ETIMEDOUT|ECONNRESET|max retries|enableOfflineQueue|connect/i.test(
    message,
  );
}
