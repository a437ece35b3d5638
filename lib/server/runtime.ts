import type { Redis } from 'ioredis';
import { createBroker } from '@/lib/brokers/registry';
import { createRedisClient, startClient } from '@/lib/redis/connection';
import type { QueueBroker } from '@/lib/brokers/types';
import { loadConfig, type TriageConfig } from '@/lib/config';
import { TriageError } from '@/lib/shared/errors';
import { createLogger, type Logger } from '@/lib/logger';
import { connectStateRedis } from '@/lib/state/connect';
import { createTriageState, type TriageState } from '@/lib/state/triage-state';
import { assertSessionSecret } from './auth-startup';

/**
 * One set of broker clients per server process. Kept on globalThis so dev-mode hot reload
 * reuses connections instead of leaking a new set per edit.
 */
export interface Runtime {
  config: TriageConfig;
  brokers: Map<string, QueueBroker>;
  logger: Logger;
  /** Triage's own state (audit, pause, history, task states, users), under `config.statePrefix`. */
  state: TriageState;
  /** Celery result backends by broker id (brokers configured with `resultBackendUrl`). */
  resultBackends: Map<string, Redis>;
  /** Resolves once every broker has tried its first connection (down ones keep retrying). */
  ready: Promise<void>;
}

const holder = globalThis as typeof globalThis & { __triageRuntime?: Runtime };

export function runtime(): Runtime {
  if (!holder.__triageRuntime) {
    const config = loadConfig();
    assertSessionSecret(config);
    const logger = createLogger('triage-server', config.logLevel);
    const brokers = new Map<string, QueueBroker>();
    for (const brokerConfig of config.brokers) {
      brokers.set(brokerConfig.id, createBroker(brokerConfig, { excludePrefixes: [config.statePrefix], logger }));
    }
    const stateRedis = connectStateRedis(config.stateRedisUrl, {
      onError: (error) => logger.warn({ err: error.message }, 'state redis connection error'),
    });
    const resultBackends = new Map<string, Redis>();
    for (const brokerConfig of config.brokers) {
      if (!brokerConfig.resultBackendUrl) continue;
      resultBackends.set(
        brokerConfig.id,
        createRedisClient(brokerConfig.resultBackendUrl, {
          name: `triage:results:${brokerConfig.id}`,
          onError: (error) => logger.warn({ err: error.message, broker: brokerConfig.id }, 'result backend connection error'),
        }),
      );
    }
    const ready = Promise.all([
      ...[...brokers.values()].map((b) => b.connect()),
      startClient(stateRedis),
      ...[...resultBackends.values()].map((client) => startClient(client)),
    ]).then(() => undefined);
    holder.__triageRuntime = { config, brokers, logger, state: createTriageState(stateRedis, config), resultBackends, ready };
  }
  return holder.__triageRuntime;
}

export async function getBroker(id: string): Promise<QueueBroker> {
  const rt = runtime();
  await rt.ready;
  const broker = rt.brokers.get(id);
  if (!broker) {
    throw new TriageError('NOT_FOUND', `unknown broker ${JSON.stringify(id)}; configured: ${[...rt.brokers.keys()].join(', ')}`);
  }
  return broker;
}

export async function allBrokers(): Promise<QueueBroker[]> {
  const rt = runtime();
  await rt.ready;
  return [...rt.brokers.values()];
}

/** For tests: drop the singleton (closing its connections) so the next call rebuilds it. */
export async function resetRuntime(): Promise<void> {
  const current = holder.__triageRuntime;
  holder.__triageRuntime = undefined;
  if (current) {
    await Promise.all([...current.brokers.values()].map((b) => b.close()));
    current.state.close();
    for (const client of current.resultBackends.values()) client.disconnect();
  }
}
