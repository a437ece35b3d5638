import type { Message as AmqpMessage } from 'amqplib';
import { decodeAmqp } from '@/lib/shared/celery-codec';
import { TASK_PRIORITY_HEADER, fromRabbitPriority, rabbitTaskPriority } from '@/lib/shared/priority';
import type { Message } from '@/lib/shared/types';
import { toApiMessage } from '../api-message';

/**
 * One fetched AMQP message as an API Message. `priority` is the level the message is
 * queued at in a queue with x-max-priority `maxPriority` (no priority → 9);
 * `brokerPriority` is the raw `properties.priority`. Never throws: an undecodable
 * message keeps what its headers tell, its body in `raw`, and the reason.
 */
export function rabbitMessage(message: AmqpMessage, maxPriority: number): Message {
  const { properties } = message;
  const brokerPriority = typeof properties.priority === 'number' ? properties.priority : null;
  const priority = fromRabbitPriority(brokerPriority, maxPriority);
  const headers = isObject(properties.headers) ? properties.headers : {};
  const correlationId = typeof properties.correlationId === 'string' ? properties.correlationId : null;
  const decoded = decodeAmqp({
    headers,
    properties: { content_type: typeof properties.contentType === 'string' ? properties.contentType : null, correlation_id: correlationId },
    body: message.content,
  });
  return toApiMessage(decoded, {
    priority,
    brokerPriority,
    taskPriority: rabbitTaskPriority(headers[TASK_PRIORITY_HEADER], brokerPriority, maxPriority),
    fallbackId: correlationId,
    enqueuedAt: amqpTimestamp(properties.timestamp),
    raw: () => bodyText(message.content),
  });
}

/** AMQP timestamps are whole seconds since the epoch. */
function amqpTimestamp(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return new Date(value * 1000).toISOString();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text when it is UTF-8, else base64 (prefixed so the UI can tell). */
function bodyText(content: Buffer): string {
  try {
    return strictUtf8.decode(content);
  } catch {
    return `base64:${content.toString('base64')}`;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
