import type { BrokerDriver } from '../driver';
import { REDIS_CAPABILITIES } from './capabilities';
import { redisCeleryRules } from './celery-diagnostics';
import { subscribeRedisCeleryEvents } from './celery-events';
import { RedisBrokerConfigSchema, resolveSentinelMaster, type RedisBrokerConfig } from './config';
import { RedisBroker } from './redis-broker';

/** Redis with kombu's layout (celery-wire.md §2): the one object lib/brokers/registry.ts lists. */
export const redisDriver = {
  kind: 'redis',
  configSchema: RedisBrokerConfigSchema,
  capabilities: REDIS_CAPABILITIES,
  create: (config, options) => new RedisBroker(resolveSentinelMaster(config), { excludePrefixes: options.excludePrefixes, logger: options.logger }),
  subscribeCeleryEvents: (config, onEvents, logger) => subscribeRedisCeleryEvents(resolveSentinelMaster(config), onEvents, logger),
  celeryRules: redisCeleryRules,
  laneGroups: (config) => Object.fromEntries(config.laneGroups.map((group) => [group.name, group.lanes.map((lane) => lane.queue)])),
  demo: {
    queues: (config) => [...config.queues.map((q) => q.name), ...config.laneGroups.map((g) => g.name)],
    workers: (config) => [
      ...config.queues.map((q) => ({ queues: [q.name], concurrency: 2 })),
      ...config.laneGroups.flatMap((group) => [
        { queues: [group.name], concurrency: 2 },
        // "Dedicated workers": urgent work always has a free slot of its own.
        ...(group.lanes[0] ? [{ queues: [group.lanes[0].queue], concurrency: 1 }] : []),
      ]),
    ],
  },
} as const satisfies BrokerDriver<RedisBrokerConfig>;
