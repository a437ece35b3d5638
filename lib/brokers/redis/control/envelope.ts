import { toRedisPayload, type CeleryMessage } from '@/lib/shared/celery-codec';
import { TriageError } from '@/lib/shared/errors';
import { relocatedPriority, type MovedMessage, type StoredForm, type TransferMessage } from '../../types';
import { targetList, taskPriorityIn, type PhysicalList, type QueueLayout } from '../layout';

/**
 * Reading and (re)writing kombu envelopes for control operations. The rule: a message that
 * only moves keeps its exact bytes; it is re-serialized only when something it carries must
 * change (its `properties.priority`, the task's own priority, when a move sets a new one or
 * a lane's range had to be applied to it; or its `delivery_info.routing_key`, so a restore
 * brings it back to the queue it now lives in).
 */

interface Envelope {
  body?: unknown;
  'content-encoding'?: unknown;
  'content-type'?: unknown;
  headers?: Record<string, unknown>;
  properties?: Record<string, unknown> & { delivery_info?: Record<string, unknown> };
}

/** What selection needs from one list element, parsed once. */
export interface Peeked {
  raw: Buffer;
  envelope: Envelope | null;
  id: string | null;
  task: string | null;
  /** The task's own priority (taskPriorityIn its list). */
  priority: number;
}

/** Parses one element of `list` in `layout`. */
export function peek(raw: Buffer, layout: QueueLayout, list: PhysicalList): Peeked {
  let envelope: Envelope | null = null;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) envelope = parsed as Envelope;
  } catch {
    // undecodable: selectable only by "all" (and by level)
  }
  const headers = envelope && isObject(envelope.headers) ? envelope.headers : {};
  const properties = envelope && isObject(envelope.properties) ? envelope.properties : {};
  let id = str(headers.id) ?? str(properties.correlation_id);
  let task = str(headers.task);
  if (envelope && !task) {
    // Protocol v1 keeps id and task in the body.
    const body = decodeBody(envelope);
    if (isObject(body)) {
      id = id ?? str(body.id);
      task = str(body.task);
    }
  }
  return { raw, envelope, id, task, priority: taskPriorityIn(layout, list, properties.priority) };
}

/** One batch for move-batch.lua: the target lists and the payload triplets. */
export interface MoveBatch {
  targets: string[];
  args: (Buffer | string | number)[];
  /** The messages the batch moves. */
  moving: Peeked[];
}

/**
 * The move of `peeked` to `dest`, each to the list of its priority (the one asked for, else
 * its own), its envelope rewritten for that list. With `stay` (the list they were read from),
 * a message already on the list it would go to is left where it is, out of the batch.
 */
export function moveBatch(peeked: readonly Peeked[], dest: QueueLayout, priority: number | null, stay?: PhysicalList, priorities?: ReadonlyMap<string, number>): MoveBatch {
  const batch: MoveBatch = { targets: [], args: [], moving: [] };
  for (const p of peeked) {
    const own = relocatedPriority({ priority, priorities }, p.id, p.priority);
    const to = targetList(dest, own);
    if (to.key === stay?.key) continue;
    let index = batch.targets.indexOf(to.key);
    if (index < 0) index = batch.targets.push(to.key) - 1;
    batch.args.push(p.raw, index + 2, peekedPayload(p, to, own));
    batch.moving.push(p);
  }
  return batch;
}

/** Where a list element sat, for ControlOptions.record. */
export function movedOf(p: Peeked, level: number): MovedMessage {
  return { id: p.id, priority: p.priority, level };
}

/** The broker-neutral form of a list element. */
export function toTransfer(p: Peeked, level: number): TransferMessage {
  return {
    id: p.id,
    task: p.task,
    level,
    priority: p.priority,
    celery: p.envelope ? toCelery(p.envelope) : null,
    origin: storedForm(p.raw),
  };
}

/** How this driver stores a list element in `TransferMessage.origin`: its exact bytes, base64. */
interface RedisStoredForm extends StoredForm {
  kind: 'redis';
  payload: string;
}

function storedForm(raw: Buffer): RedisStoredForm {
  return { kind: 'redis', payload: raw.toString('base64') };
}

function redisStoredForm(origin: StoredForm | null): RedisStoredForm | null {
  return origin?.kind === 'redis' ? (origin as RedisStoredForm) : null;
}

function toCelery(envelope: Envelope): CeleryMessage | null {
  const body = bodyText(envelope);
  if (body === null) return null;
  const props = isObject(envelope.properties) ? envelope.properties : {};
  const correlationId = str(props.correlation_id) ?? str(envelope.headers?.id);
  if (!correlationId) return null;
  return {
    headers: isObject(envelope.headers) ? { ...envelope.headers } : {},
    properties: {
      correlation_id: correlationId,
      ...(str(props.reply_to) ? { reply_to: str(props.reply_to)! } : {}),
      ...(typeof props.priority === 'number' ? { priority: props.priority } : {}),
      delivery_mode: props.delivery_mode === 1 ? 1 : 2,
      content_type: str(envelope['content-type']) ?? 'application/json',
      content_encoding: str(envelope['content-encoding']) ?? 'utf-8',
      ...(str(props.expiration) ? { expiration: str(props.expiration)! } : {}),
    },
    body,
  };
}

/**
 * The payload to push for `message` into `list` at Triage priority `priority` (which
 * becomes its own). Same-broker messages keep their exact bytes when they already carry
 * that priority and the target list's routing key.
 */
export function payloadFor(message: TransferMessage, list: PhysicalList, priority: number): Buffer | string {
  const stored = redisStoredForm(message.origin);
  if (stored) {
    const raw = Buffer.from(stored.payload, 'base64');
    let envelope: Envelope | null = null;
    try {
      envelope = JSON.parse(raw.toString('utf8')) as Envelope;
    } catch {
      // undecodable: moved as is, never altered
    }
    return peekedPayload({ raw, envelope }, list, priority);
  }
  if (!message.celery) {
    throw new TriageError('UNPROCESSABLE', `message ${message.id ?? '(no id)'} cannot be decoded, so it cannot move to a Redis queue`);
  }
  return toRedisPayload({ ...message.celery, properties: { ...message.celery.properties, priority } }, { routingKey: list.queue });
}

/**
 * payloadFor of a list element already parsed by peek(): moves within one Redis skip the
 * broker-neutral form (a base64 round trip and a second JSON parse per message).
 */
export function peekedPayload(p: Pick<Peeked, 'raw' | 'envelope'>, list: PhysicalList, priority: number): Buffer | string {
  const envelope = p.envelope;
  if (!isObject(envelope) || !isObject(envelope.properties)) return p.raw;
  const props = envelope.properties;
  const info = isObject(props.delivery_info) ? props.delivery_info : {};
  if (props.priority === priority && info.routing_key === list.queue) return p.raw;
  return rewrite(envelope, priority, list.queue);
}

/** Rewrites priority and routing key, keeping every other field and the key order. */
export function rewrite(envelope: Envelope, priority: unknown, routingKey: string): string {
  const props = envelope.properties ?? {};
  const info = isObject(props.delivery_info) ? props.delivery_info : {};
  return JSON.stringify({ ...envelope, properties: { ...props, delivery_info: { ...info, routing_key: routingKey }, priority } });
}

/**
 * The args and kwargs of a parsed element as JSON (protocol 2: the body's first two items;
 * protocol 1: the body's fields), as the browse filter's text match sees them; '' when
 * they cannot be read.
 */
export function argsTextOf(envelope: Envelope | null): string {
  if (!envelope) return '';
  const body = decodeBody(envelope);
  if (Array.isArray(body)) return `${JSON.stringify(body[0] ?? [])} ${JSON.stringify(body[1] ?? {})}`;
  if (isObject(body)) return `${JSON.stringify(body.args ?? [])} ${JSON.stringify(body.kwargs ?? {})}`;
  return '';
}

function decodeBody(envelope: Envelope): unknown {
  const text = bodyText(envelope);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function bodyText(envelope: Envelope): string | null {
  if (typeof envelope.body !== 'string') return null;
  const encoding = isObject(envelope.properties) ? envelope.properties.body_encoding : undefined;
  if (encoding === 'base64') return Buffer.from(envelope.body, 'base64').toString('utf8');
  if (encoding === undefined || encoding === null) return envelope.body;
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
