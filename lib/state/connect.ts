import type { Redis } from 'ioredis';
import { createRedisClient } from '@/lib/redis/connection';

/**
 * The one place a client of Triage's state Redis is made (server, demo set-up, CLI): fails
 * fast while the server is down and reconnects in the background (lib/redis/connection.ts).
 * Lazy: the caller connects, the server with `startClient` (never throws, keeps retrying),
 * a one-shot tool with `connect()` (throws when the server is down).
 */
export function connectStateRedis(url: string, options: { name?: string; onError?: (error: Error) => void } = {}): Redis {
  return createRedisClient(url, { name: options.name ?? 'triage:state', ...(options.onError ? { onError: options.onError } : {}) });
}
