/**
 * The standing-rule loop on its own, outside the server (`npx tsx scripts/rule-loop.ts`):
 * what the tests kill -9 and the benchmark measures. It contends for the same lease as the
 * servers, so running it beside them changes nothing but who leads.
 */
import { hostname } from 'node:os';
import { createBroker } from '@/lib/brokers/registry';
import type { QueueBroker } from '@/lib/brokers/types';
import { loadConfig } from '@/lib/config';
import { startRuleLoop } from '@/lib/control/rules/rule-loop';
import { createLogger } from '@/lib/logger';
import { startClient } from '@/lib/redis/connection';
import { connectStateRedis } from '@/lib/state/connect';
import { createTriageState } from '@/lib/state/triage-state';
import { TriageError, describeError } from '@/lib/shared/errors';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('triage-rule-loop', config.logLevel);
  const brokers = new Map<string, Promise<QueueBroker>>();
  const broker = (id: string): Promise<QueueBroker> => {
    let made = brokers.get(id);
    if (!made) {
      const brokerConfig = config.brokers.find((b) => b.id === id);
      if (!brokerConfig) return Promise.reject(new TriageError('NOT_FOUND', `unknown broker ${id}`));
      const created = createBroker(brokerConfig, { excludePrefixes: [config.statePrefix], logger });
      made = created.connect().then(() => created);
      brokers.set(id, made);
    }
    return made;
  };
  const stateRedis = connectStateRedis(config.stateRedisUrl, { name: 'triage-rule-loop:state', onError: (error) => logger.warn({ err: error.message }, 'state redis connection error') });
  await startClient(stateRedis);
  const loop = startRuleLoop({ state: createTriageState(stateRedis, config), broker, holderId: `${hostname()}:${process.pid}`, logger });
  // The parent (a test, the bench) may be gone: its closed pipe must not end the loop.
  process.stdout.on('error', () => {});
  const leaderFlag = setInterval(() => process.stdout.write(loop.leadership.isLeader ? 'leading\n' : ''), 500);
  const stop = () => {
    clearInterval(leaderFlag);
    void loop.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`triage rule loop: ${describeError(error)}\n`);
  process.exit(1);
});
