import type { Message, Options } from 'amqplib';
import { ENQUEUED_AT_HEADER, decodeAmqp, type CeleryMessage } from '@/lib/shared/celery-codec';
import { TriageError } from '@/lib/shared/errors';
import { TASK_PRIORITY_HEADER, fromRabbitPriority, rabbitTaskPriority, toRabbitPriority } from '@/lib/shared/priority';
import type { StoredForm, TransferMessage } from '../../types';
import { publishOptions } from '../publish';

/**
 * AMQP messages ↔ broker-neutral TransferMessages. RabbitMQ messages are immutable, so
 * every move publishes a copy; a copy of a RabbitMQ message keeps every property and
 * header and changes only its `priority` and its `triage_priority` header (the task's own
 * priority, which the AMQP priority cannot hold where the target merges levels).
 */

const PROPERTY_KEYS = [
  'contentType',
  'contentEncoding',
  'headers',
  'deliveryMode',
  'priority',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'timestamp',
  'type',
  'userId',
  'appId',
] as const;

export function fromAmqp(message: Message, maxPriority: number): TransferMessage {
  const props = message.properties as unknown as Record<string, unknown>;
  const properties: Record<string, unknown> = {};
  for (const key of PROPERTY_KEYS) if (props[key] !== undefined && props[key] !== null) properties[key] = props[key];
  const brokerPriority = typeof props.priority === 'number' ? props.priority : null;
  const level = fromRabbitPriority(brokerPriority, maxPriority);
  const headers = isObject(props.headers) ? props.headers : {};
  const priority = rabbitTaskPriority(headers[TASK_PRIORITY_HEADER], brokerPriority, maxPriority);
  const correlationId = typeof props.correlationId === 'string' ? props.correlationId : null;
  const decoded = decodeAmqp({
    headers,
    properties: { content_type: typeof props.contentType === 'string' ? props.contentType : null, correlation_id: correlationId },
    body: message.content,
  });
  const id = decoded.ok ? decoded.task.id : (decoded.id ?? correlationId);
  const task = decoded.ok ? decoded.task.task : decoded.taskName;
  const celery: CeleryMessage | null =
    correlationId || id
      ? {
          headers: { ...headers },
          properties: {
            correlation_id: (correlationId ?? id)!,
            ...(typeof props.replyTo === 'string' ? { reply_to: props.replyTo } : {}),
            ...(brokerPriority !== null ? { priority: brokerPriority } : {}),
            delivery_mode: props.deliveryMode === 1 ? 1 : 2,
            content_type: typeof props.contentType === 'string' ? props.contentType : 'application/json',
            content_encoding: typeof props.contentEncoding === 'string' ? props.contentEncoding : 'utf-8',
            ...(typeof props.expiration === 'string' ? { expiration: props.expiration } : {}),
          },
          body: message.content.toString('utf8'),
        }
      : null;
  return {
    id,
    task,
    level,
    priority,
    celery,
    origin: storedForm(message.content, properties),
  };
}

/** How this driver stores a message in `TransferMessage.origin`: its body (base64) and AMQP properties. */
interface RabbitStoredForm extends StoredForm {
  kind: 'rabbitmq';
  content: string;
  properties: Record<string, unknown>;
}

function storedForm(content: Buffer, properties: Record<string, unknown>): RabbitStoredForm {
  return { kind: 'rabbitmq', content: content.toString('base64'), properties };
}

function rabbitStoredForm(origin: StoredForm | null): RabbitStoredForm | null {
  return origin?.kind === 'rabbitmq' ? (origin as RabbitStoredForm) : null;
}

/** Body and publish options for a copy of `message` whose own priority becomes `priority`, in a queue with x-max-priority `maxPriority`. */
export function toAmqp(message: TransferMessage, priority: number, maxPriority: number): { content: Buffer; options: Options.Publish } {
  const wirePriority = toRabbitPriority(priority, maxPriority);
  const stored = rabbitStoredForm(message.origin);
  if (stored) {
    const props = stored.properties;
    const options: Options.Publish = {};
    for (const key of PROPERTY_KEYS) if (props[key] !== undefined) (options as Record<string, unknown>)[key] = props[key];
    options.priority = wirePriority;
    options.headers = { ...(isObject(props.headers) ? props.headers : {}), [TASK_PRIORITY_HEADER]: priority };
    options.mandatory = true;
    return { content: Buffer.from(stored.content, 'base64'), options };
  }
  if (!message.celery) {
    throw new TriageError('UNPROCESSABLE', `message ${message.id ?? '(no id)'} cannot be decoded, so it cannot move to RabbitMQ`);
  }
  const stamp = message.celery.headers[ENQUEUED_AT_HEADER];
  const at = typeof stamp === 'string' && Number.isFinite(Date.parse(stamp)) ? new Date(stamp) : new Date();
  const options = publishOptions(
    {
      ...message.celery,
      headers: { ...message.celery.headers, [TASK_PRIORITY_HEADER]: priority },
      properties: { ...message.celery.properties, priority: wirePriority },
    },
    at,
  );
  return { content: Buffer.from(message.celery.body, 'utf8'), options };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
