import type { BrokerConfig } from '@/lib/config/schema';
import { RabbitBroker } from './rabbitmq/rabbitmq-broker';
import { RedisBroker } from './redis/redis-broker';
import type { QueueBroker } from './types';

export interface BrokerFactoryOptions {
  /** Key prefixes on Redis that hold Triage's own state, never queues. */
  excludePrefixes?: string[];
  logger?: { info: (obj: object, msg?: string) => void; warn: (obj: object, msg?: string) => void; error: (obj: object, msg?: string) => void };
}

/** The one place that knows which class serves which broker kind. */
export function createBroker(config: BrokerConfig, options: BrokerFactoryOptions = {}): QueueBroker {
  switch (config.kind) {
    case 'redis':
      return new RedisBroker(config, { excludePrefixes: options.excludePrefixes, logger: options.logger });
    case 'rabbitmq':
      return new RabbitBroker(config, { logger: options.logger });
  }
}
