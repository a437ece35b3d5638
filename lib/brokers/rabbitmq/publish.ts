import type { ConfirmChannel, Message as AmqpMessage, Options } from 'amqplib';
import { buildTaskMessage, type CeleryMessage } from '@/lib/shared/celery-codec';
import { TriageError, describeError } from '@/lib/shared/errors';
import { TASK_PRIORITY_HEADER, toRabbitPriority } from '@/lib/shared/priority';
import type { EnqueueItem } from '../types';
import { withTimeout, type ChannelSource } from './connection';

/**
 * Publishes Celery protocol v2 messages the way kombu's py-amqp transport does
 * (celery-wire.md §1.2): to the default exchange "" with routing key = queue, the Celery
 * headers as AMQP application headers, `correlation_id` = task id, persistent. Triage
 * adds the AMQP `timestamp` (enqueue time, seconds) so the management API can report the
 * head message's age, its `triage_enqueued_at` header, and the task's own priority in
 * `triage_priority` (x-max-priority below 10 writes several priorities as one AMQP value).
 *
 * Delivery guarantees: publisher confirms, awaited per batch of BATCH_SIZE; `mandatory`
 * so a message no queue takes comes back (basic.return) and fails the call instead of
 * vanishing. On failure part-way, the batches confirmed before it are enqueued and
 * the error's details say how many (`details.confirmed`).
 */

export const BATCH_SIZE = 1000;
// A broker that accepted the bytes but never confirms (disk alarm, overload) must not
// hang an HTTP request forever.
const CONFIRM_TIMEOUT_MS = 30_000;

/** Publishes every item to `queue`; resolves with the task ids once all are confirmed. */
export async function publishTasks(
  channels: ChannelSource,
  queue: string,
  items: readonly EnqueueItem[],
  maxPriority: number,
): Promise<string[]> {
  return channels.withPublishChannel(async (channel) => {
    const returned: string[] = [];
    const onReturn = (message: AmqpMessage) => {
      returned.push(typeof message.properties.correlationId === 'string' ? message.properties.correlationId : 'unknown');
    };
    channel.on('return', onReturn);
    try {
      return await publishOn(channel, queue, items, maxPriority, returned);
    } finally {
      channel.removeListener('return', onReturn);
    }
  });
}

async function publishOn(channel: ConfirmChannel, queue: string, items: readonly EnqueueItem[], maxPriority: number, returned: string[]): Promise<string[]> {
  const ids: string[] = [];
  let confirmed = 0;
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    const enqueuedAt = new Date();
    try {
      for (const item of items.slice(start, start + BATCH_SIZE)) {
        const at = item.spec.enqueuedAt ?? enqueuedAt;
        const extraHeaders = { ...item.spec.extraHeaders, [TASK_PRIORITY_HEADER]: item.priority };
        const message = buildTaskMessage({ ...item.spec, extraHeaders, enqueuedAt: at }, toRabbitPriority(item.priority, maxPriority));
        ids.push(message.properties.correlation_id);
        const accepted = channel.publish('', queue, Buffer.from(message.body, 'utf8'), publishOptions(message, at));
        // false: the channel's write buffer is full; wait rather than buffer 10,000 messages.
        if (!accepted) await drained(channel);
      }
      await withTimeout(channel.waitForConfirms(), CONFIRM_TIMEOUT_MS, `no confirm within ${CONFIRM_TIMEOUT_MS / 1000} s`);
    } catch (error) {
      // amqplib refuses header tables over 64 KiB before anything is sent.
      if (error instanceof RangeError) throw new TriageError('TOO_LARGE', `a message is too large for AMQP: ${error.message}`, { confirmed });
      throw new TriageError(
        'UNAVAILABLE',
        `RabbitMQ did not confirm ${ids.length - confirmed} message(s) for queue ${queue}: ${describeError(error)}`,
        { confirmed },
      );
    }
    // basic.return precedes the confirm of the same message, so returns are in by now.
    if (returned.length > 0) {
      throw new TriageError(
        'NOT_FOUND',
        `queue ${queue} did not take ${returned.length} message(s) (it was deleted while publishing?)`,
        { confirmed: ids.length - returned.length, returned },
      );
    }
    confirmed = ids.length;
  }
  return ids;
}

/** CeleryMessage → amqplib publish options, mirroring kombu's pyamqp prepare_message. */
export function publishOptions(message: CeleryMessage, enqueuedAt: Date): Options.Publish {
  const p = message.properties;
  return {
    headers: message.headers,
    correlationId: p.correlation_id,
    ...(p.reply_to ? { replyTo: p.reply_to } : {}),
    ...(p.priority !== undefined ? { priority: p.priority } : {}),
    deliveryMode: p.delivery_mode,
    contentType: p.content_type,
    contentEncoding: p.content_encoding,
    ...(p.expiration !== undefined ? { expiration: p.expiration } : {}),
    timestamp: Math.floor(enqueuedAt.getTime() / 1000),
    mandatory: true,
  };
}

/** Resolves when a channel that refused a publish (backpressure) can take more. */
export function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the channel closed while waiting for it to drain'));
    };
    const cleanup = () => {
      channel.removeListener('drain', onDrain);
      channel.removeListener('close', onClose);
    };
    channel.on('drain', onDrain);
    channel.on('close', onClose);
  });
}
