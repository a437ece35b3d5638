import type { BrokerDriver } from '../driver';
import { RABBIT_CAPABILITIES } from './capabilities';
import { subscribeRabbitCeleryEvents } from './celery-events';
import { RabbitBrokerConfigSchema, type RabbitBrokerConfig } from './config';
import { RabbitBroker } from './rabbitmq-broker';

/** RabbitMQ classic queues with x-max-priority: the one object lib/brokers/registry.ts lists. */
export const rabbitmqDriver = {
  kind: 'rabbitmq',
  configSchema: RabbitBrokerConfigSchema,
  capabilities: RABBIT_CAPABILITIES,
  create: (config, options) => new RabbitBroker(config, { logger: options.logger }),
  subscribeCeleryEvents: subscribeRabbitCeleryEvents,
  celeryRules: {
    // Priority steps and separators are Redis transport options; AMQP has neither.
    queueWarnings: () => [],
    laneInterleaving: () => ({ why: 'RabbitMQ delivers from each consumed queue independently' }),
  },
  // Lane groups are a Redis layout (capabilities.laneGroups: false).
  laneGroups: () => ({}),
  demo: {
    queues: (config) => config.queues.map((q) => q.name),
    workers: (config) => config.queues.map((q) => ({ queues: [q.name], concurrency: 3 })),
  },
} as const satisfies BrokerDriver<RabbitBrokerConfig>;
