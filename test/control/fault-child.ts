/**
 * Runs one control operation in its own process, so the fault-injection tests can SIGKILL
 * it at a random moment. Input: argv[2] = JSON {from: {config, queue}, to: {config, queue},
 * priority?, batchSize?} where each config is a broker configuration (test/contract
 * targets make them); the same queue on the same broker with a priority reprioritizes
 * every message there. With `undo`, each batch is recorded first in an undo record of the
 * state Redis, as an audited operation does. Prints `progress <moved>` after every batch and `done <json>` at the end.
 */
import { createBroker } from '@/lib/brokers/registry';
import type { QueueBroker } from '@/lib/brokers/types';
import { BrokerConfigSchema, type BrokerConfig } from '@/lib/brokers/registry';
import { transfer } from '@/lib/control/transfer';
import { Redis } from 'ioredis';
import { UndoRecordStore } from '@/lib/state/undo-records';

export interface FaultChildInput {
  from: { config: BrokerConfig; queue: string };
  to: { config: BrokerConfig; queue: string };
  priority?: number;
  batchSize?: number;
  undo?: { redisUrl: string; prefix: string; operationId: string };
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as FaultChildInput;
  const brokers = new Map<string, QueueBroker>();
  for (const side of [input.from, input.to]) {
    if (!brokers.has(side.config.id)) brokers.set(side.config.id, createBroker(BrokerConfigSchema.parse(side.config)));
  }
  await Promise.all([...brokers.values()].map((b) => b.connect()));
  const from = brokers.get(input.from.config.id)!;
  const to = brokers.get(input.to.config.id)!;
  const onProgress = (p: { moved: number }) => process.stdout.write(`progress ${p.moved}\n`);
  const stateRedis = input.undo ? new Redis(input.undo.redisUrl) : null;
  const undo = stateRedis && input.undo ? new UndoRecordStore(stateRedis, input.undo.prefix) : null;
  const operationId = input.undo?.operationId ?? '';
  const record = undo ? (batch: Parameters<UndoRecordStore['append']>[1]) => undo.append(operationId, batch) : undefined;
  const reprioritize = from === to && input.from.queue === input.to.queue && input.priority !== undefined;
  const result = reprioritize
    ? await from.control.relocate(input.from.queue, {}, { queue: input.from.queue, priority: input.priority! }, { batchSize: input.batchSize, onProgress, record })
    : await transfer({ broker: from, queue: input.from.queue }, { broker: to, queue: input.to.queue }, {}, null, {
        batchSize: input.batchSize,
        target: { create: true, ...(from === to ? { like: input.from.queue } : {}) },
        onProgress,
      });
  process.stdout.write(`done ${JSON.stringify(result)}\n`);
  await Promise.all([...brokers.values()].map((b) => b.close()));
  await stateRedis?.quit();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
