import type { RabbitQueueConfig } from './config';
import { DEFAULT_RABBIT_MAX_PRIORITY } from '@/lib/shared/priority';
import { deadQueueName } from '../types';
import type { ChannelSource } from './connection';
import { checkQueue } from './topology';

/**
 * What the bundled worker declares on RabbitMQ, idempotently, on every (re)connect:
 * - each consumed queue, only if missing (as a Celery worker declares its queues), with
 *   its configured arguments or x-max-priority 10;
 * - the dead-letter exchange `triage.dlx` (direct) and `<queue>.dead` bound to it with
 *   routing key `<queue>`, with the queue's own x-max-priority (a parking queue takes its
 *   source's layout: dead-lettering keeps the AMQP priority, which only reads the same
 *   under the same maximum);
 * - per retry delay, `triage.delay.<queue>.<ms>`: a queue with a queue-wide TTL whose
 *   expired messages dead-letter back to `<queue>` through the default exchange. One TTL
 *   per queue keeps expiry FIFO (RabbitMQ only expires per-message TTLs at the head).
 */
export const DLX_EXCHANGE = 'triage.dlx';

export async function declareConsumerTopology(
  channels: ChannelSource,
  queues: readonly string[],
  configured: ReadonlyMap<string, RabbitQueueConfig>,
  /** The queue's real x-max-priority (management API); the configured one when it cannot tell. */
  maxPriorityFor?: (queue: string) => Promise<number>,
): Promise<void> {
  await channels.withChannel(async (channel) => {
    await channel.assertExchange(DLX_EXCHANGE, 'direct', { durable: true });
  });
  for (const queue of queues) {
    const config = configured.get(queue);
    if (!(await checkQueue(channels, queue))) {
      const maxPriority = config?.maxPriority ?? DEFAULT_RABBIT_MAX_PRIORITY;
      await channels.withChannel((channel) =>
        channel.assertQueue(queue, {
          durable: config?.durable ?? true,
          arguments: { ...(maxPriority > 0 ? { 'x-max-priority': maxPriority } : {}), ...(config?.arguments ?? {}) },
        }),
      );
    }
    const dead = deadQueueName(queue);
    if (!(await checkQueue(channels, dead))) {
      const fallback = config?.maxPriority ?? DEFAULT_RABBIT_MAX_PRIORITY;
      const sourceMax = maxPriorityFor ? await maxPriorityFor(queue).catch(() => fallback) : fallback;
      // A source without priorities still gets a dead-letter queue that keeps them apart.
      const maxPriority = sourceMax > 0 ? sourceMax : DEFAULT_RABBIT_MAX_PRIORITY;
      await channels.withChannel((channel) => channel.assertQueue(dead, { durable: true, arguments: { 'x-max-priority': maxPriority } }));
    }
    await channels.withChannel((channel) => channel.bindQueue(dead, DLX_EXCHANGE, queue));
  }
}

/**
 * Delay buckets: the delay rounded UP to two significant digits (1234 ms → 1300 ms), so a
 * task never runs before its eta and the number of delay queues stays small.
 */
export function delayBucketMs(delayMs: number): number {
  const ms = Math.max(50, Math.ceil(delayMs));
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(ms)) - 1);
  return Math.ceil(ms / magnitude) * magnitude;
}

export function delayQueueName(queue: string, bucketMs: number): string {
  return `triage.delay.${queue}.${bucketMs}`;
}

export function delayQueueArguments(queue: string, bucketMs: number): Record<string, unknown> {
  return {
    'x-message-ttl': bucketMs,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
    // Unused delay queues go away, but only well after their messages have expired.
    'x-expires': bucketMs + 300_000,
    // No x-max-priority: a priority queue would let a later, more urgent message hold up
    // the expiry of those behind it. The priority property survives dead-lettering.
  };
}
