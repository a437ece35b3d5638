import type { Redis } from 'ioredis';
import { createRedisClient, type RedisConnectionOptions } from '@/lib/redis/connection';

/**
 * The one place a client of Triage's state Redis is made (server, worker, demo set-up, CLI):
 * fails fast while the server is down unless `whileDown: 'wait'` (the worker) and reconnects in the background (lib/redis/connection.ts).
 * Lazy: the caller connects, the server with `startClient` (never throws, keeps retrying),
 * a one-shot tool with `connect()` (throws when the server is down).
 */
export function connectStateRedis(url: string, options: Partial<RedisConnectionOptions> = {}): Redis {
  return createRedisClient(url, { ...options, name: options.name ?? 'triage:state' });
}
