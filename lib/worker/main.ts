/**
 * `npm run worker -- --broker <id> --queues a,b --concurrency N` (or TRIAGE_WORKER_* env).
 * First SIGTERM/SIGINT: finish in-flight tasks, take nothing new, exit 0. A second one:
 * exit at once; the interrupted tasks go back to their queues (Redis: handed back by the
 * adapter; RabbitMQ: requeued when the connection closes), none is lost.
 */
import { brokerDriver, createBroker } from '@/lib/brokers/registry';
import { loadConfig } from '@/lib/config';
import { createLogger } from '@/lib/logger';
import { startClient } from '@/lib/redis/connection';
import { connectStateRedis } from '@/lib/state/connect';
import { createTriageState } from '@/lib/state/triage-state';
import { describeError } from '@/lib/shared/errors';
import { parseWorkerSettings } from './settings';
import { Worker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('triage-worker', config.logLevel);
  const settings = parseWorkerSettings(process.argv.slice(2));
  const brokerConfig = config.brokers.find((b) => b.id === settings.broker);
  if (!brokerConfig) throw new Error(`unknown broker ${settings.broker}; configured: ${config.brokers.map((b) => b.id).join(', ')}`);
  const broker = createBroker(brokerConfig, { excludePrefixes: [config.statePrefix], logger });
  await broker.connect();
  const stateRedis = connectStateRedis(config.stateRedisUrl, {
    name: `triage-worker:state:${process.pid}`,
    whileDown: 'wait',
    onError: (error) => logger.warn({ err: error.message }, 'state redis connection error'),
  });
  await startClient(stateRedis);
  const groupLanes = brokerDriver(brokerConfig.kind).laneGroups(brokerConfig);
  const laneGroups: Record<string, string[]> = {};
  for (const [group, lanes] of Object.entries(groupLanes)) for (const lane of lanes) (laneGroups[lane] ??= []).push(group);
  const worker = new Worker({ broker, settings, state: createTriageState(stateRedis, config), stateRedisUrl: config.stateRedisUrl, logger, laneGroups, groupLanes, onShutdown: () => onSignal('SIGTERM') });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      logger.info({ signal }, 'finishing in-flight tasks; send the signal again to stop at once');
      void worker
        .stop()
        .then(async () => {
          await broker.close();
          stateRedis.disconnect();
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error({ err: describeError(error) }, 'graceful stop failed');
          process.exit(1);
        });
    } else {
      logger.warn({ signal }, 'stopping now; in-flight tasks go back to their queues');
      void worker.kill().finally(() => process.exit(1));
      setTimeout(() => process.exit(1), 2000).unref();
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Started with an IPC channel (the demo): a parent that dies, even by SIGKILL, closes
  // it, and the worker stops gracefully instead of living on as an orphan.
  if (process.connected) process.once('disconnect', () => onSignal('SIGTERM'));
  await worker.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`triage worker: ${describeError(error)}\n`);
  process.exit(1);
});
