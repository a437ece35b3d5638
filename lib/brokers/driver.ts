import type { z } from 'zod';
import type { CeleryTransportRules } from '@/lib/celery/diagnostics';
import type { CeleryEvent } from '@/lib/celery/events';
import type { BaseBrokerConfig } from './broker-config';
import type { BrokerCapabilities, QueueBroker } from './types';

export interface BrokerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BrokerFactoryOptions {
  /** Key prefixes on Redis that hold Triage's own state, never queues. */
  excludePrefixes?: string[];
  logger?: BrokerLogger;
}

/** A worker `npm run demo` starts on a broker: it consumes `queues` with `concurrency` slots. */
export interface DemoWorker {
  queues: string[];
  concurrency: number;
}

/**
 * Everything Triage knows about one broker kind, exported by `lib/brokers/<kind>/driver.ts`
 * and listed once in lib/brokers/registry.ts. Code outside the kind's folder reaches the
 * kind only through this object (or the `QueueBroker` it creates), never by its name.
 * docs/adding-a-broker.md walks through writing one.
 */
export interface BrokerDriver<C extends BaseBrokerConfig = BaseBrokerConfig> {
  /** The configuration's `kind` value that selects this driver. */
  readonly kind: C['kind'];
  /** A broker's configuration of this kind: a strict zod object whose `kind` is the literal `kind`. */
  readonly configSchema: z.ZodType<C, unknown>;
  /** The same as every broker of this kind reports (`QueueBroker.capabilities`, `Queue.capabilities`). */
  readonly capabilities: BrokerCapabilities;
  /** The adapter for one configured broker; it connects on `connect()`, not here. */
  create(config: C, options: BrokerFactoryOptions): QueueBroker;
  /** Listens to the Celery monitoring events on the broker; the returned function stops listening. */
  subscribeCeleryEvents(config: C, onEvents: (events: CeleryEvent[]) => void, logger?: BrokerLogger): Promise<() => Promise<void>>;
  /** What a diagnosis of real Celery workers checks beyond the kind-neutral settings (lib/celery/diagnostics.ts). */
  readonly celeryRules: CeleryTransportRules;
  /**
   * The lane groups the configuration defines: group name → its member queues in the order a
   * worker takes from them. Empty for kinds without lane groups (`capabilities.laneGroups`).
   */
  laneGroups(config: C): Record<string, string[]>;
  /** `npm run demo`: the logical queues that get demo traffic, and the workers it starts. */
  readonly demo: {
    queues(config: C): string[];
    workers(config: C): DemoWorker[];
  };
}
