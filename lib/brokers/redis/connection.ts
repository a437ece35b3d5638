import { unavailableWhenUnreachable } from '@/lib/redis/connection';

export { createRedisClient, startClient, type RedisConnectionOptions } from '@/lib/redis/connection';

/** Runs a Redis call, turning connection failures into TriageError('UNAVAILABLE'). */
export function withRedis<T>(brokerId: string, run: () => Promise<T>): Promise<T> {
  return unavailableWhenUnreachable(`Redis broker ${brokerId}`, run);
}
