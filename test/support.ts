import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';

/** Shared helpers for tests that talk to the real local brokers. */

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

/** A queue name no other test (or the demo) uses. */
export function uniqueName(label = 'q'): string {
  return `t-${label}-${randomUUID().slice(0, 8)}`;
}

/** Polls until `check` returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function rawRedis(url = REDIS_URL): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
}

/** Deletes every key starting with one of the given names (a test's own queues). */
export async function deleteKeysLike(redis: Redis, ...names: string[]): Promise<void> {
  for (const name of names) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${name.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}

/** A Redis client for one test file plus the names its tests created; `done()` deletes them and closes it. */
export function scratchRedis(url = REDIS_URL): { client: Redis; names: string[]; done: () => Promise<void> } {
  const client = rawRedis(url);
  const names: string[] = [];
  return {
    client,
    names,
    done: async () => {
      await deleteKeysLike(client, ...names);
      await client.quit();
    },
  };
}

/** A TCP port free on 127.0.0.1 now, for a server a test starts (redis-server, a RabbitMQ node). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
