import type { CeleryEvent } from '@/lib/celery/events';
import type { BrokerConfig } from '@/lib/config/schema';
import { subscribeRabbitCeleryEvents } from './rabbitmq/celery-events';
import { subscribeRedisCeleryEvents } from './redis/celery-events';

type Log = { info: (obj: object, msg?: string) => void; warn: (obj: object, msg?: string) => void; error: (obj: object, msg?: string) => void };

/** Subscribes to the Celery events of one broker; the returned function unsubscribes. */
export function subscribeCeleryEvents(config: BrokerConfig, onEvents: (events: CeleryEvent[]) => void, logger?: Log): Promise<() => Promise<void>> {
  switch (config.kind) {
    case 'redis':
      return subscribeRedisCeleryEvents(config, onEvents, logger);
    case 'rabbitmq':
      return subscribeRabbitCeleryEvents(config, onEvents, logger);
  }
}
