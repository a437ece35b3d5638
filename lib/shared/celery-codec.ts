import { randomUUID } from 'node:crypto';
import { jsonMember, jsonString } from './json-text';
import { nowIso } from './now-iso';
import { pyRepr } from './py-repr';

/**
 * Celery task messages, protocol v2 (and v1 on the way in), exactly as celery-wire.md §1
 * records them from Celery 5.2.6:
 * - Redis (kombu virtual transport): one JSON envelope per list element, body base64-encoded;
 * - AMQP: properties + application headers, the body the raw JSON `[args, kwargs, embed]`.
 *
 * Decoding never throws: anything it cannot read comes back as `{ ok: false, reason, raw }`,
 * with whatever identity (id, task name) the headers still give, so one bad message never
 * hides the rest of a page.
 */

/** Header Triage adds so queues can show age; Celery keeps unknown headers as request attributes. */
export const ENQUEUED_AT_HEADER = 'triage_enqueued_at';

export interface TaskSpec {
  task: string;
  id?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  /** ISO-8601 with offset, or null. */
  eta?: string | null;
  expires?: string | null;
  retries?: number;
  rootId?: string | null;
  parentId?: string | null;
  group?: string | null;
  /** [hard, soft] seconds: the order Celery's code uses (its protocol doc says otherwise). */
  timelimit?: [number | null, number | null];
  origin?: string;
  /** Defaults to now. */
  enqueuedAt?: Date;
  /** Extra headers carried through untouched (e.g. Celery 5.3+ stamping headers). */
  extraHeaders?: Record<string, unknown>;
  embed?: TaskEmbed;
}

export interface TaskEmbed {
  callbacks: unknown[] | null;
  errbacks: unknown[] | null;
  chain: unknown[] | null;
  chord: unknown | null;
}

/** The broker-neutral form of one Celery message: what the AMQP wire carries directly. */
export interface CeleryMessage {
  headers: Record<string, unknown>;
  properties: {
    correlation_id: string;
    reply_to?: string;
    /** The raw wire priority, already mapped by the adapter. */
    priority?: number;
    delivery_mode: 1 | 2;
    content_type: string;
    content_encoding: string;
    /** AMQP `expiration` (ms as a string), set when the task has `expires`. */
    expiration?: string;
  };
  /** UTF-8 JSON text of `[args, kwargs, embed]` (v2). */
  body: string;
}

export interface DecodedTask {
  protocol: 1 | 2;
  id: string;
  task: string;
  args: unknown;
  kwargs: unknown;
  retries: number;
  eta: string | null;
  expires: string | null;
  enqueuedAt: string | null;
  origin: string | null;
  rootId: string | null;
  parentId: string | null;
  headers: Record<string, unknown>;
  embed: TaskEmbed | null;
}

export type DecodeResult =
  | { ok: true; task: DecodedTask }
  | {
      ok: false;
      reason: string;
      /** What the headers still tell, when they were readable. */
      id: string | null;
      taskName: string | null;
    };

export interface RedisEnvelopeInfo {
  /** Raw `properties.priority`; kombu always writes one, foreign producers may not. */
  brokerPriority: number | null;
  deliveryTag: string | null;
  exchange: string | null;
  routingKey: string | null;
  redelivered: boolean;
}

export type RedisDecodeResult = DecodeResult & { envelope: RedisEnvelopeInfo | null };

const EMPTY_EMBED: TaskEmbed = { callbacks: null, errbacks: null, chain: null, chord: null };

// ---------------------------------------------------------------------------
// Encoding

/**
 * The encoded forms of the last args/kwargs/embed seen, reused while the very same objects
 * come back: a bulk enqueue of `count` copies hands one args array to every message, and
 * the repr, JSON and base64 of a 600-byte payload are most of a message's encoding cost.
 * Dropped at the next microtask, so an object mutated between two calls is never served
 * stale: only a synchronous run of encodes shares it.
 */
interface Encoded {
  args: unknown;
  kwargs: unknown;
  embed: unknown;
  argsrepr: string;
  kwargsrepr: string;
  body: string;
  base64: string | null;
}
let lastEncoded: Encoded | null = null;

function encodedBody(args: unknown[], kwargs: Record<string, unknown>, embed: TaskEmbed): Encoded {
  const last = lastEncoded;
  if (last && last.args === args && last.kwargs === kwargs && last.embed === embed) return last;
  if (!lastEncoded) queueMicrotask(() => (lastEncoded = null));
  lastEncoded = { args, kwargs, embed, argsrepr: pyRepr(args), kwargsrepr: pyRepr(kwargs), body: bodyJson(args, kwargs, embed), base64: null };
  return lastEncoded;
}

const EMPTY_EMBED_JSON = JSON.stringify(EMPTY_EMBED);

/**
 * JSON.stringify([args, kwargs, embed]), byte for byte. Args of plain strings and numbers
 * (most tasks) are written member by member: the generic stringify scanned a 600-byte
 * string argument on its slow path, at about a sixth of a message's encoding.
 */
function bodyJson(args: unknown[], kwargs: Record<string, unknown>, embed: TaskEmbed): string {
  const embedJson = embed === EMPTY_EMBED ? EMPTY_EMBED_JSON : JSON.stringify(embed);
  let argsJson = '';
  for (const value of args) {
    const text = typeof value === 'string' ? jsonString(value) : typeof value === 'number' ? jsonMember(value) : undefined;
    if (text === undefined) return JSON.stringify([args, kwargs, embed]);
    argsJson += argsJson === '' ? text : `,${text}`;
  }
  return `[[${argsJson}],${JSON.stringify(kwargs)},${embedJson}]`;
}

/** base64 of a message body, reusing the last encoding when the body string is the same. */
function bodyBase64(body: string): string {
  const last = lastEncoded;
  if (last && last.body === body) return (last.base64 ??= Buffer.from(body, 'utf8').toString('base64'));
  return Buffer.from(body, 'utf8').toString('base64');
}

export function buildTaskMessage(spec: TaskSpec, wirePriority?: number): CeleryMessage {
  const id = spec.id ?? randomUUID();
  const args = spec.args ?? [];
  const kwargs = spec.kwargs ?? {};
  const encoded = encodedBody(args, kwargs, spec.embed ?? EMPTY_EMBED);
  const headers: Record<string, unknown> = {
    lang: 'py',
    task: spec.task,
    id,
    shadow: null,
    eta: spec.eta ?? null,
    expires: spec.expires ?? null,
    group: spec.group ?? null,
    group_index: null,
    retries: spec.retries ?? 0,
    timelimit: spec.timelimit ?? [null, null],
    root_id: spec.rootId ?? id,
    parent_id: spec.parentId ?? null,
    argsrepr: encoded.argsrepr,
    kwargsrepr: encoded.kwargsrepr,
    origin: spec.origin ?? defaultOrigin(),
    ignore_result: false,
  };
  // Extra headers may add to the protocol's headers (after them, as Celery 5.3+ does), never replace them.
  for (const [key, value] of Object.entries(spec.extraHeaders ?? {})) if (!(key in headers)) headers[key] = value;
  headers[ENQUEUED_AT_HEADER] = spec.enqueuedAt ? spec.enqueuedAt.toISOString() : nowIso();
  const properties: CeleryMessage['properties'] = {
    correlation_id: id,
    reply_to: REPLY_TO,
    delivery_mode: 2,
    content_type: 'application/json',
    content_encoding: 'utf-8',
  };
  if (wirePriority !== undefined) properties.priority = wirePriority;
  if (spec.expires) {
    const ms = Date.parse(spec.expires) - Date.now();
    if (Number.isFinite(ms)) properties.expiration = String(Math.max(0, Math.round(ms)));
  }
  return { headers, properties, body: encoded.body };
}

/**
 * The kombu Redis envelope (celery-wire.md §1.1), key order as kombu stores it. A unique
 * `delivery_tag` and `delivery_info` are required: kombu's ack emulation reads them.
 *
 * Written as a template, byte for byte what JSON.stringify of the envelope object gives
 * (members whose value is undefined left out): on the enqueue path a generic stringify of
 * the envelope cost as much as building the task. Only the headers, whose members vary,
 * go through JSON.stringify.
 */
export function toRedisPayload(
  message: CeleryMessage,
  route: { exchange?: string; routingKey: string; deliveryTag?: string },
): string {
  const p = message.properties;
  const properties =
    member('correlation_id', p.correlation_id) +
    member('reply_to', p.reply_to) +
    member('delivery_mode', p.delivery_mode) +
    // Where kombu puts it: `expiration` is one of the publish properties Celery passes in,
    // so it precedes the delivery_info/priority/body_encoding/delivery_tag that kombu adds
    // (recorded fixtures: ..."delivery_mode": 2, "expiration": "3600000", "delivery_info"...).
    (p.expiration ? member('expiration', p.expiration) : '') +
    `,"delivery_info":{"exchange":${jsonString(route.exchange ?? '')},"routing_key":${jsonString(route.routingKey)}}` +
    // kombu always writes a priority (0 when the caller gave none).
    member('priority', p.priority ?? 0) +
    `,"body_encoding":"base64","delivery_tag":${jsonString(route.deliveryTag ?? randomUUID())}`;
  // base64 never needs escaping.
  return (
    `{"body":"${bodyBase64(message.body)}"${member('content-encoding', p.content_encoding)}${member('content-type', p.content_type)}` +
    `,"headers":${headersJson(message.headers)},"properties":{${properties.slice(1)}}}`
  );
}

/** The headers buildTaskMessage writes, in its order (ENQUEUED_AT_HEADER last). */
const BUILT_HEADER_KEYS = [
  'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit',
  'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result', ENQUEUED_AT_HEADER,
];
const BUILT_HEADER_PREFIXES = BUILT_HEADER_KEYS.map((key, i) => `${i === 0 ? '' : ','}${jsonString(key)}:`);

/**
 * JSON.stringify(headers), byte for byte. Headers with exactly buildTaskMessage's keys in
 * its order take a template: a generic stringify of them was a third of a message's
 * encoding (each member walked generically, the 600-byte argsrepr scanned by the slow
 * path). Any other shape (extra headers, a decoded Celery message) is stringified.
 */
function headersJson(headers: Record<string, unknown>): string {
  let out = '{';
  let index = 0;
  for (const key in headers) {
    if (key !== BUILT_HEADER_KEYS[index]) return JSON.stringify(headers);
    const value = headers[key];
    const text = value === null ? 'null' : typeof value === 'string' ? jsonString(value) : jsonMember(value);
    if (text === undefined) return JSON.stringify(headers);
    out += BUILT_HEADER_PREFIXES[index++] + text;
  }
  return index === BUILT_HEADER_KEYS.length ? `${out}}` : JSON.stringify(headers);
}

/** `,"key":value` as JSON.stringify writes a member, or nothing where it leaves the member out. */
function member(key: string, value: unknown): string {
  const text = jsonMember(value);
  return text === undefined ? '' : `,${jsonString(key)}:${text}`;
}

/**
 * Rewrites only `properties.priority` of an envelope, leaving the rest of the payload's
 * meaning intact. Used when a message changes step, so kombu >= 5.4's restore (which
 * re-reads the priority) puts it back in the same list.
 */
export function withRedisPriority(payload: string, wirePriority: number): string {
  const envelope = JSON.parse(payload) as { properties?: Record<string, unknown> };
  envelope.properties = { ...envelope.properties, priority: wirePriority };
  return JSON.stringify(envelope);
}

// ---------------------------------------------------------------------------
// Decoding

export function decodeRedisPayload(raw: string | Buffer): RedisDecodeResult {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let envelope: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) return { ...failure('the list element is JSON but not an object'), envelope: null };
    envelope = parsed;
  } catch {
    return { ...failure('the list element is not JSON'), envelope: null };
  }
  const properties = isObject(envelope.properties) ? envelope.properties : {};
  const deliveryInfo = isObject(properties.delivery_info) ? properties.delivery_info : {};
  const headers = isObject(envelope.headers) ? envelope.headers : {};
  // Celery sets correlation_id = task id (v1 and v2), so even a message whose body cannot be
  // read keeps an identity to show and select it by.
  const correlationId = stringOrNull(properties.correlation_id);
  const info: RedisEnvelopeInfo = {
    brokerPriority: typeof properties.priority === 'number' ? properties.priority : null,
    deliveryTag: typeof properties.delivery_tag === 'string' ? properties.delivery_tag : null,
    exchange: typeof deliveryInfo.exchange === 'string' ? deliveryInfo.exchange : null,
    routingKey: typeof deliveryInfo.routing_key === 'string' ? deliveryInfo.routing_key : null,
    redelivered: headers.redelivered === true || deliveryInfo.redelivered === true,
  };

  let body: string;
  const rawBody = envelope.body;
  if (typeof rawBody !== 'string') {
    return envelopeFailure('the envelope has no string body', headers, correlationId, info);
  }
  const bodyEncoding = properties.body_encoding;
  if (bodyEncoding === 'base64') {
    if (!/^[A-Za-z0-9+/=\s]*$/.test(rawBody)) {
      return envelopeFailure('body_encoding is base64 but the body is not base64', headers, correlationId, info);
    }
    body = Buffer.from(rawBody, 'base64').toString('utf8');
  } else if (bodyEncoding === undefined || bodyEncoding === null) {
    // kombu leaves the body unchanged when body_encoding is missing (celery-wire.md §1.1).
    body = rawBody;
  } else {
    return envelopeFailure(`unsupported body_encoding ${JSON.stringify(bodyEncoding)}`, headers, correlationId, info);
  }
  const contentType = typeof envelope['content-type'] === 'string' ? envelope['content-type'] : 'application/json';
  return { ...decodeTask(headers, body, contentType, correlationId), envelope: info };
}

/** Not a closure inside decodeRedisPayload: that runs for every task a worker takes. */
function envelopeFailure(reason: string, headers: Record<string, unknown>, correlationId: string | null, info: RedisEnvelopeInfo): RedisDecodeResult {
  return { ...failure(reason, headers, correlationId), envelope: info };
}

export interface AmqpInput {
  headers?: Record<string, unknown> | null;
  properties: { content_type?: string | null; correlation_id?: string | null };
  body: Buffer | string;
}

export function decodeAmqp(input: AmqpInput): DecodeResult {
  const raw = input.headers ?? {};
  // Rebuilt only when a void marker is there: copying every header (argsrepr included) for
  // every message was about 5 µs of a RabbitMQ worker's 75 µs of work per task.
  const headers = (hasVoidMarker(raw) ? normalizeVoid(raw) : raw) as Record<string, unknown>;
  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
  return decodeTask(headers, body, input.properties.content_type ?? 'application/json', input.properties.correlation_id ?? null);
}

function decodeTask(
  headers: Record<string, unknown>,
  bodyText: string,
  contentType: string,
  correlationId: string | null,
): DecodeResult {
  const isV2 = typeof headers.task === 'string';
  // Media type only: other producers send `application/json; charset=utf-8`.
  if (contentType !== 'application/json' && contentType.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    return failure(`content-type ${contentType} cannot be decoded here (only JSON)`, headers, correlationId);
  }
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return failure('the body is not valid JSON', headers, correlationId);
  }
  if (isV2) return decodeV2(headers, body, correlationId);
  // The missing `task` header is exactly how a Celery worker detects protocol v1.
  return decodeV1(headers, body, correlationId);
}

function decodeV2(headers: Record<string, unknown>, body: unknown, correlationId: string | null): DecodeResult {
  if (!Array.isArray(body) || body.length < 2) {
    return failure('a protocol v2 body must be [args, kwargs, embed]', headers, correlationId);
  }
  const [args, kwargs, embed] = body as [unknown, unknown, unknown];
  const id = stringOrNull(headers.id) ?? correlationId;
  if (!id) return failure('the message has no task id', headers, correlationId);
  return {
    ok: true,
    task: {
      protocol: 2,
      id,
      task: headers.task as string,
      args,
      kwargs,
      retries: typeof headers.retries === 'number' ? headers.retries : 0,
      eta: stringOrNull(headers.eta),
      expires: stringOrNull(headers.expires),
      enqueuedAt: stringOrNull(headers[ENQUEUED_AT_HEADER]),
      origin: stringOrNull(headers.origin),
      rootId: stringOrNull(headers.root_id),
      parentId: stringOrNull(headers.parent_id),
      headers,
      embed: isObject(embed) ? normalizeEmbed(embed) : null,
    },
  };
}

function decodeV1(headers: Record<string, unknown>, body: unknown, correlationId: string | null): DecodeResult {
  if (!isObject(body) || typeof body.task !== 'string' || typeof body.id !== 'string') {
    return failure('neither a v2 `task` header nor a v1 body with task and id', headers, correlationId);
  }
  return {
    ok: true,
    task: {
      protocol: 1,
      id: body.id,
      task: body.task,
      args: body.args ?? [],
      kwargs: body.kwargs ?? {},
      retries: typeof body.retries === 'number' ? body.retries : 0,
      eta: stringOrNull(body.eta),
      expires: stringOrNull(body.expires),
      enqueuedAt: stringOrNull(headers[ENQUEUED_AT_HEADER]),
      origin: null,
      rootId: null,
      parentId: null,
      headers,
      embed: {
        callbacks: Array.isArray(body.callbacks) ? body.callbacks : null,
        errbacks: Array.isArray(body.errbacks) ? body.errbacks : null,
        chain: null,
        chord: body.chord ?? null,
      },
    },
  };
}

/**
 * The RabbitMQ management API renders AMQP void header values as the string "undefined"
 * (celery-wire.md §1.2); turn them back into null.
 */
export function normalizeVoid(value: unknown): unknown {
  if (value === 'undefined') return null;
  if (Array.isArray(value)) return value.map(normalizeVoid);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeVoid(v)]));
  return value;
}

function hasVoidMarker(value: unknown): boolean {
  if (value === 'undefined') return true;
  if (Array.isArray(value)) return value.some(hasVoidMarker);
  if (isObject(value) && !ArrayBuffer.isView(value)) {
    for (const key in value) if (hasVoidMarker(value[key])) return true;
  }
  return false;
}

function normalizeEmbed(embed: Record<string, unknown>): TaskEmbed {
  return {
    callbacks: Array.isArray(embed.callbacks) ? embed.callbacks : null,
    errbacks: Array.isArray(embed.errbacks) ? embed.errbacks : null,
    chain: Array.isArray(embed.chain) ? embed.chain : null,
    chord: embed.chord ?? null,
  };
}

function failure(reason: string, headers: Record<string, unknown> = {}, correlationId: string | null = null) {
  return {
    ok: false as const,
    reason,
    id: stringOrNull(headers.id) ?? correlationId,
    taskName: stringOrNull(headers.task),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

// kombu sets reply_to to the app's oid for the rpc:// backend; Triage has no rpc replies,
// but a stable value keeps the envelope shape identical to Celery's.
const REPLY_TO = randomUUID();

let origin: string | null = null;

// Read once: process.env lookups are slow, and neither the pid nor HOSTNAME change.
function defaultOrigin(): string {
  origin ??= `${process.pid}@${process.env.HOSTNAME ?? 'triage'}`;
  return origin;
}
