/**
 * Runs one control operation in its own process, so the fault-injection test can SIGKILL
 * it at a random moment. Input: argv[2] = JSON {redisUrl, amqpUrl, managementUrl, from:
 * {broker, queue}, to: {broker, queue}, priority?, batchSize?}; the same queue on both
 * sides with a priority reprioritizes every message there. Prints `progress <moved>`
 * after every batch and `done <json>` at the end.
 */
import { RabbitBroker } from '@/lib/brokers/rabbitmq/rabbitmq-broker';
import { RedisBroker } from '@/lib/brokers/redis/redis-broker';
import type { QueueBroker } from '@/lib/brokers/types';
import { RabbitBrokerConfigSchema } from '@/lib/brokers/rabbitmq/config';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { transfer } from '@/lib/control/transfer';

interface Input {
  redisUrl: string;
  amqpUrl: string;
  managementUrl: string;
  from: { broker: 'redis' | 'rabbitmq'; queue: string };
  to: { broker: 'redis' | 'rabbitmq'; queue: string };
  priority?: number;
  batchSize?: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as Input;
  const brokers: Record<string, QueueBroker> = {
    redis: new RedisBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: input.redisUrl })),
    rabbitmq: new RabbitBroker(RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: input.amqpUrl, managementUrl: input.managementUrl })),
  };
  const used = [...new Set([input.from.broker, input.to.broker])].map((id) => brokers[id]!);
  await Promise.all(used.map((b) => b.connect()));
  const onProgress = (p: { moved: number }) => process.stdout.write(`progress ${p.moved}\n`);
  const reprioritize = input.from.broker === input.to.broker && input.from.queue === input.to.queue && input.priority !== undefined;
  const result = reprioritize
    ? await brokers[input.from.broker]!.control.relocate(input.from.queue, {}, { queue: input.from.queue, priority: input.priority! }, { batchSize: input.batchSize, onProgress })
    : await transfer(
    { broker: brokers[input.from.broker]!, queue: input.from.queue },
    { broker: brokers[input.to.broker]!, queue: input.to.queue },
    {},
    null,
    {
      batchSize: input.batchSize,
      target: { create: true, ...(input.from.broker === input.to.broker ? { like: input.from.queue } : {}) },
      onProgress,
    },
  );
  process.stdout.write(`done ${JSON.stringify(result)}\n`);
  await Promise.all(used.map((b) => b.close()));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
