import type { RedisBrokerConfig } from './config';
import { parseRedisEventMessage, type CeleryEvent } from '@/lib/celery/events';
import { createRedisClient, startClient } from './connection';
import { redisDatabase } from '@/lib/redis/target';

/**
 * Celery's events on Redis are pub/sub on `<global_keyprefix>/<db>.celeryev/<type>`
 * (celery-wire.md §2.9, §4.1): lost if nobody listens, so this subscribes for as long as
 * Triage runs, on a connection of its own (a subscribed connection can do nothing else).
 */
export async function subscribeRedisCeleryEvents(
  config: RedisBrokerConfig,
  onEvents: (events: CeleryEvent[]) => void,
  logger?: { warn: (obj: object, msg?: string) => void },
): Promise<() => Promise<void>> {
  const client = createRedisClient(config.url, {
    name: `triage:${config.id}:celeryev`,
    onError: (error) => logger?.warn({ broker: config.id, err: error.message }, 'celery events connection error'),
  });
  // kombu scopes fanout channel names by DB number because pub/sub itself is not.
  const pattern = `${config.globalKeyprefix}/${redisDatabase(config.url)}.celeryev/*`;
  client.on('pmessage', (_pattern: string, _channel: string, message: string) => {
    const events = parseRedisEventMessage(message);
    if (events.length > 0) onEvents(events);
  });
  // ioredis re-subscribes by itself after a reconnect.
  client.on('ready', () => {
    void client.psubscribe(pattern).catch(() => {});
  });
  await startClient(client);
  // Subscribed means subscribed: an event published right after this resolves (a producer's
  // task-sent, which carries the task's queue) must not be missed. PSUBSCRIBE is idempotent.
  if (client.status === 'ready') await client.psubscribe(pattern).catch(() => {});
  return async () => {
    client.disconnect();
  };
}
