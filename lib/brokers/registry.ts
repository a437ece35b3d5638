import { z } from 'zod';
import type { CeleryEvent } from '@/lib/celery/events';
import type { BrokerDriver, BrokerFactoryOptions, BrokerLogger } from './driver';
import { rabbitmqDriver } from './rabbitmq/driver';
import { redisDriver } from './redis/driver';
import type { QueueBroker } from './types';

/**
 * Every broker kind Triage serves, one line each (docs/adding-a-broker.md). Everything
 * below is derived from this list: the kind names, the configuration schema, and the
 * dispatch to the driver a configured broker's `kind` names.
 */
const DRIVERS = [
  redisDriver,
  rabbitmqDriver,
] as const;

type Drivers = typeof DRIVERS;

export type KnownBrokerKind = Drivers[number]['kind'];

/** The kinds the configuration accepts, in registry order. */
export const BROKER_KINDS: readonly KnownBrokerKind[] = DRIVERS.map((driver) => driver.kind);

/** Every driver, for code that runs over all kinds (the contract suite). */
export const brokerDrivers: readonly BrokerDriver[] = DRIVERS;

// Generic, so that mapping the drivers' tuple gives a tuple (what discriminatedUnion wants).
type ConfigSchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: T[I] extends { configSchema: infer S } ? S : never };

/** One configured broker, of any registered kind: the drivers' schemas, told apart by `kind`. */
export const BrokerConfigSchema = z.discriminatedUnion('kind', DRIVERS.map((driver) => driver.configSchema) as ConfigSchemasOf<Drivers>, {
  error: (issue) => {
    if (issue.code !== 'invalid_union' || issue.note !== 'No matching discriminator') return undefined;
    const kind = (issue.input as { kind?: unknown } | undefined)?.kind;
    return `kind must be one of ${BROKER_KINDS.join(', ')}${kind === undefined ? '' : ` (not ${JSON.stringify(kind)})`}`;
  },
});

export type BrokerConfig = z.infer<typeof BrokerConfigSchema>;

/** The driver of `kind`; throws for a kind no driver serves (the configuration already refuses those). */
export function brokerDriver(kind: string): BrokerDriver {
  const driver = brokerDrivers.find((d) => d.kind === kind);
  if (!driver) throw new Error(`unknown broker kind ${JSON.stringify(kind)}; known kinds: ${BROKER_KINDS.join(', ')}`);
  return driver;
}

/** The adapter for one configured broker, from the driver its `kind` names. */
export function createBroker(config: BrokerConfig, options: BrokerFactoryOptions = {}): QueueBroker {
  return brokerDriver(config.kind).create(config, options);
}

/** Subscribes to the Celery events of one broker; the returned function unsubscribes. */
export function subscribeCeleryEvents(config: BrokerConfig, onEvents: (events: CeleryEvent[]) => void, logger?: BrokerLogger): Promise<() => Promise<void>> {
  return brokerDriver(config.kind).subscribeCeleryEvents(config, onEvents, logger);
}
