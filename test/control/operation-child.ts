/**
 * Runs one drain through the control layer (operation record, queue lock, audit) in its own
 * process, as a dashboard replica would, so a test can SIGKILL it mid-way. Input: argv[2] =
 * JSON {broker: config, queue, statePrefix, operationId}.
 */
import { createBroker, BrokerConfigSchema, type BrokerConfig } from '@/lib/brokers/registry';
import { TriageConfigSchema } from '@/lib/config/schema';
import { controlContext } from '@/lib/control/context';
import { drain } from '@/lib/control/drain';
import { startClient } from '@/lib/redis/connection';
import { connectStateRedis } from '@/lib/state/connect';
import { createTriageState } from '@/lib/state/triage-state';
import { REDIS_URL } from '@/test/support';

export interface OperationChildInput {
  broker: BrokerConfig;
  queue: string;
  statePrefix: string;
  operationId: string;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as OperationChildInput;
  const broker = createBroker(BrokerConfigSchema.parse(input.broker));
  await broker.connect();
  const redis = connectStateRedis(REDIS_URL, { name: 'triage:operation-child' });
  await startClient(redis);
  const state = createTriageState(redis, TriageConfigSchema.parse({ brokers: [input.broker], statePrefix: input.statePrefix }));
  const ctx = controlContext({ brokers: new Map([[broker.id, broker]]), state }, async () => broker, { name: 'replica-child', role: 'admin' }, input.operationId);
  const result = await drain(ctx, { broker: broker.id, queue: input.queue });
  process.stdout.write(`done ${JSON.stringify(result)}\n`);
  await broker.close();
  redis.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
