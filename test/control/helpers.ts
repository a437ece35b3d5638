import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { Redis } from 'ioredis';
import { buildTaskMessage, decodeRedisPayload, toRedisPayload } from '@/lib/shared/celery-codec';
import { KOMBU_DEFAULT_SEP, stepFor, toRabbitPriority } from '@/lib/shared/priority';
import { publishOptions } from '@/lib/brokers/rabbitmq/publish';
import { RedisBroker } from '@/lib/brokers/redis/redis-broker';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { deleteKeysLike, rawRedis, REDIS_URL } from '@/test/support';

/** Raw broker access for control tests: fill queues fast, read them back without changing them. */

export const SEP = KOMBU_DEFAULT_SEP;
export const STEPS = [0, 3, 6, 9];

/** A raw client and a connected Redis broker (demo defaults) for one test file's control tests. */
export async function openRedisControl(): Promise<{ redis: Redis; broker: RedisBroker }> {
  const broker = new RedisBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL }));
  await broker.connect();
  return { redis: rawRedis(), broker };
}

/** Closes what openRedisControl opened and deletes every key the file made under `base`. */
export async function closeRedisControl({ redis, broker }: { redis: Redis; broker: RedisBroker }, base: string): Promise<void> {
  await broker.close();
  await deleteKeysLike(redis, base);
  await redis.quit();
}

export function stepKeyOf(queue: string, step: number): string {
  return step === 0 ? queue : `${queue}${SEP}${step}`;
}

/** LPUSHes `priorities.length` messages (kombu envelopes) onto the default step lists; returns their ids in order. */
export async function fillRedis(redis: Redis, queue: string, priorities: readonly number[], task = 'myapp.tasks.send_email'): Promise<string[]> {
  const ids: string[] = [];
  const byKey = new Map<string, string[]>();
  priorities.forEach((p, i) => {
    const id = randomUUID();
    ids.push(id);
    const payload = toRedisPayload(buildTaskMessage({ id, task, args: [i] }, p), { routingKey: queue });
    const key = stepKeyOf(queue, stepFor(p, STEPS));
    byKey.set(key, [...(byKey.get(key) ?? []), payload]);
  });
  const pipeline = redis.pipeline();
  pipeline.sadd(`_kombu.binding.${queue}`, `${queue}${SEP}${SEP}${queue}`);
  for (const [key, payloads] of byKey) for (let i = 0; i < payloads.length; i += 1000) pipeline.lpush(key, ...payloads.slice(i, i + 1000));
  await pipeline.exec();
  return ids;
}

export interface RedisEntry {
  key: string;
  step: number;
  raw: string;
  id: string;
  priority: number | null;
  routingKey: string | null;
  redelivered: boolean;
}

/** Every message of a queue's default step lists, in consumption order (step 0 tail first). */
export async function readRedis(redis: Redis, queue: string): Promise<RedisEntry[]> {
  const out: RedisEntry[] = [];
  for (const step of STEPS) {
    const key = stepKeyOf(queue, step);
    const items = (await redis.lrange(key, 0, -1)).reverse();
    for (const raw of items) {
      const d = decodeRedisPayload(raw);
      out.push({
        key,
        step,
        raw,
        id: d.ok ? d.task.id : 'undecodable',
        priority: d.envelope?.brokerPriority ?? null,
        routingKey: d.envelope?.routingKey ?? null,
        redelivered: d.envelope?.redelivered === true,
      });
    }
  }
  return out;
}

export async function declareRabbit(connection: ChannelModel, queue: string, args: Record<string, unknown> = { 'x-max-priority': 10 }): Promise<void> {
  const ch = await connection.createChannel();
  await ch.assertQueue(queue, { durable: true, arguments: args });
  await ch.close();
}

/** Publishes with confirms at Triage priorities (x-max-priority 10); returns ids in order. */
export async function fillRabbit(connection: ChannelModel, queue: string, priorities: readonly number[], task = 'myapp.tasks.send_email'): Promise<string[]> {
  const ch = await connection.createConfirmChannel();
  const ids: string[] = [];
  for (let i = 0; i < priorities.length; i++) {
    const id = randomUUID();
    ids.push(id);
    const message = buildTaskMessage({ id, task, args: [i] }, toRabbitPriority(priorities[i]!, 10));
    if (!ch.publish('', queue, Buffer.from(message.body), publishOptions(message, new Date()))) {
      await new Promise((resolve) => ch.once('drain', resolve));
    }
    if (i % 5000 === 4999) await ch.waitForConfirms();
  }
  await ch.waitForConfirms();
  await ch.close();
  return ids;
}

export interface RabbitEntry {
  id: string;
  priority: number | null;
  headers: Record<string, unknown>;
  body: Buffer;
  redelivered: boolean;
}

/**
 * Every ready message of a queue in delivery order, read with a manual-ack consumer and
 * put back by closing the channel (RabbitMQ requeues them at their positions). Only for
 * quiescent queues: waits until it has received the count a passive declare reported.
 */
export async function readRabbit(connection: ChannelModel, queue: string): Promise<RabbitEntry[]> {
  const ch = await connection.createChannel();
  const { messageCount } = await ch.checkQueue(queue);
  const out: RabbitEntry[] = [];
  if (messageCount > 0) {
    await new Promise<void>((resolve) => {
      void ch.consume(
        queue,
        (m: ConsumeMessage | null) => {
          if (!m) return;
          out.push({
            id: String(m.properties.headers?.id ?? m.properties.correlationId),
            priority: typeof m.properties.priority === 'number' ? m.properties.priority : null,
            headers: (m.properties.headers ?? {}) as Record<string, unknown>,
            body: m.content,
            redelivered: m.fields.redelivered,
          });
          if (out.length >= messageCount) resolve();
        },
        { noAck: false },
      );
    });
  }
  await ch.close();
  return out;
}

export async function deleteRabbit(connection: ChannelModel, ...queues: string[]): Promise<void> {
  const ch = await connection.createChannel();
  for (const q of queues) await ch.deleteQueue(q);
  await ch.close();
}

export async function rabbitCount(connection: ChannelModel, queue: string): Promise<number> {
  const ch = await connection.createChannel();
  try {
    return (await ch.checkQueue(queue)).messageCount;
  } finally {
    await ch.close().catch(() => {});
  }
}

/** amqplib emits channel errors (404 on a missing queue) as events: swallow them so a test does not hang. */
export function quiet<T extends { on(event: 'error', listener: (error: Error) => void): unknown }>(channel: T): T {
  channel.on('error', () => {});
  return channel;
}

/**
 * Runs the adapter's own consumer (what the bundled worker uses) with one slot until it has
 * taken `count` messages, acking each; returns their ids in execution order.
 */
export async function executeInOrder(
  broker: import('@/lib/brokers/types').QueueBroker,
  queue: string,
  count: number,
  statePrefix: string,
): Promise<string[]> {
  const order: string[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const handle = await broker.consume({
    queues: [queue],
    concurrency: 1,
    isPaused: () => false,
    statePrefix,
    onDelivery: async (delivery) => {
      order.push(delivery.decoded.ok ? delivery.decoded.task.id : 'undecodable');
      await delivery.ack();
      if (order.length >= count) finish();
    },
  });
  await finished;
  await handle.stop();
  return order;
}
