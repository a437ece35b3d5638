import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ENQUEUED_AT_HEADER,
  buildTaskMessage,
  decodeAmqp,
  decodeRedisPayload,
  normalizeVoid,
  toRedisPayload,
  withRedisPriority,
  type DecodeResult,
  type DecodedTask,
  type RedisDecodeResult,
} from './celery-codec';
import { KOMBU_DEFAULT_SEP, KOMBU_DEFAULT_STEPS, fromRabbitPriority, kombuEffectivePriority, stepFor } from './priority';
import { pyRepr } from './py-repr';

// ---------------------------------------------------------------------------
// Fixtures recorded from real Celery 5.2.6 / kombu 5.2.4 (test/fixtures, see /work/shared/fixtures/README.md)

interface Sent {
  id: string;
  priority: number | null;
  what: string;
}

interface RedisFixture {
  transport_options: { priority_steps?: number[]; sep?: string; global_keyprefix?: string };
  queue: string;
  sent_in_order: Sent[];
  keys: Record<string, { key: { utf8_escaped: string; hex: string }; type: 'list' | 'set'; value: unknown[] }>;
}

interface RabbitFixture {
  queue_arguments: { 'x-max-priority': number };
  sent_in_order: Sent[];
  messages: {
    delivery_info: { delivery_tag: number; redelivered: boolean; exchange: string; routing_key: string };
    properties: {
      content_type: string;
      content_encoding: string;
      delivery_mode: number;
      priority?: number;
      correlation_id: string;
      reply_to: string;
      expiration?: string;
    };
    headers: Record<string, unknown>;
    body: string;
  }[];
}

interface KombuEnvelope {
  body: string;
  'content-encoding': string;
  'content-type': string;
  headers: Record<string, unknown>;
  properties: Record<string, unknown> & {
    correlation_id: string;
    priority: number;
    delivery_tag: string;
    delivery_info: { exchange: string; routing_key: string };
  };
}

function fixture<T>(name: string): T {
  const file = fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const REDIS_FIXTURES = ['redis-default-steps.json', 'redis-ten-steps-colon.json', 'redis-global-keyprefix.json'];
const rabbit = fixture<RabbitFixture>('rabbitmq-x-max-priority-10.json');
const v1 = fixture<{ key: string; value: string }>('redis-protocol-v1.json');

interface RedisListValue {
  key: string;
  step: number;
  raw: string;
  envelope: KombuEnvelope;
}

/** Every list element of a Redis fixture, with the priority step its key encodes. */
function redisListValues(fx: RedisFixture): RedisListValue[] {
  const prefix = fx.transport_options.global_keyprefix ?? '';
  const sep = fx.transport_options.sep ?? KOMBU_DEFAULT_SEP;
  const out: RedisListValue[] = [];
  for (const entry of Object.values(fx.keys)) {
    if (entry.type !== 'list') continue;
    // The hex form is the exact key bytes (the separator \x06\x16 is not printable).
    const key = Buffer.from(entry.key.hex, 'hex').toString('latin1');
    expect(key.startsWith(prefix + fx.queue)).toBe(true);
    const rest = key.slice((prefix + fx.queue).length);
    const step = rest === '' ? 0 : Number(rest.slice(sep.length));
    if (rest !== '') expect(rest.startsWith(sep)).toBe(true);
    for (const raw of entry.value as string[]) out.push({ key, step, raw, envelope: JSON.parse(raw) as KombuEnvelope });
  }
  return out;
}

function decodedBody(envelope: KombuEnvelope): [unknown, unknown, Record<string, unknown>] {
  return JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8')) as [unknown, unknown, Record<string, unknown>];
}

function expectOk(result: DecodeResult): DecodedTask {
  if (!result.ok) throw new Error(`expected a decoded task, got failure: ${result.reason}`);
  return result.task;
}

function expectFailure(result: DecodeResult): Extract<DecodeResult, { ok: false }> {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(typeof result.reason).toBe('string');
  expect(result.reason.length).toBeGreaterThan(0);
  return result;
}

const plainRedisEnvelope = (): KombuEnvelope => {
  const fx = fixture<RedisFixture>('redis-default-steps.json');
  const value = redisListValues(fx).find((v) => v.envelope.headers.argsrepr === "[42, 'Welcome 2']");
  if (!value) throw new Error('fixture message not found');
  return value.envelope;
};

const countdownRedisEnvelope = (): KombuEnvelope => {
  const fx = fixture<RedisFixture>('redis-default-steps.json');
  const value = redisListValues(fx).find((v) => v.envelope.headers.eta !== null);
  if (!value) throw new Error('fixture message not found');
  return value.envelope;
};

const CELERY_526_HEADERS = [
  'lang',
  'task',
  'id',
  'shadow',
  'eta',
  'expires',
  'group',
  'group_index',
  'retries',
  'timelimit',
  'root_id',
  'parent_id',
  'argsrepr',
  'kwargsrepr',
  'origin',
  'ignore_result',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

// ---------------------------------------------------------------------------

describe.each(REDIS_FIXTURES)('decodeRedisPayload on real Celery 5.2.6 list values: %s', (name) => {
  const fx = fixture<RedisFixture>(name);
  const values = redisListValues(fx);
  const steps = fx.transport_options.priority_steps ?? KOMBU_DEFAULT_STEPS;

  it('holds all 13 messages sent', () => {
    expect(values).toHaveLength(13);
    expect(fx.sent_in_order).toHaveLength(13);
  });

  it('decodes every value as protocol 2, matching the headers and the base64 body', () => {
    for (const { raw, envelope } of values) {
      const task = expectOk(decodeRedisPayload(raw));
      const [args, kwargs, embed] = decodedBody(envelope);
      const h = envelope.headers;
      expect(task.protocol).toBe(2);
      expect(task.id).toBe(h.id);
      expect(task.id).toMatch(UUID);
      expect(task.task).toBe(h.task);
      expect(task.args).toEqual(args);
      expect(task.kwargs).toEqual(kwargs);
      expect(task.retries).toBe(h.retries);
      expect(task.eta).toBe(h.eta);
      expect(task.expires).toBe(h.expires);
      expect(task.origin).toBe(h.origin);
      expect(task.rootId).toBe(h.root_id);
      expect(task.parentId).toBe(h.parent_id);
      expect(task.headers).toEqual(h);
      expect(task.embed).toEqual(embed);
      // Messages from Celery itself carry no Triage enqueue stamp.
      expect(task.enqueuedAt).toBeNull();
    }
  });

  it('decodes a Buffer exactly like the string', () => {
    for (const { raw } of values) {
      expect(decodeRedisPayload(Buffer.from(raw, 'utf8'))).toEqual(decodeRedisPayload(raw));
    }
  });

  it('finds exactly the ids that were sent', () => {
    const decoded = values.map(({ raw }) => expectOk(decodeRedisPayload(raw)).id);
    expect(new Set(decoded).size).toBe(decoded.length);
    expect(new Set(decoded)).toEqual(new Set(fx.sent_in_order.map((s) => s.id)));
  });

  it('reports the envelope: brokerPriority = properties.priority, delivery tag, routing key, exchange ""', () => {
    for (const { raw, envelope } of values) {
      const result = decodeRedisPayload(raw);
      expect(result.envelope).toEqual({
        brokerPriority: envelope.properties.priority,
        deliveryTag: envelope.properties.delivery_tag,
        exchange: '',
        routingKey: fx.queue,
        redelivered: false,
      });
      expect(result.envelope?.deliveryTag).toMatch(UUID);
    }
  });

  it('kombu wrote the priority passed to apply_async (none → 0) into the list of its step', () => {
    const sent = new Map(fx.sent_in_order.map((s) => [s.id, s]));
    for (const { raw, step } of values) {
      const result = decodeRedisPayload(raw);
      const task = expectOk(result);
      const brokerPriority = result.envelope?.brokerPriority;
      expect(brokerPriority).toBe(sent.get(task.id)?.priority ?? 0);
      // stepFor/kombuEffectivePriority reproduce kombu's choice of list for every real message.
      expect(stepFor(kombuEffectivePriority(brokerPriority), steps)).toBe(step);
    }
  });

  it('each list is FIFO: read from the right end, in send order', () => {
    const order = new Map(fx.sent_in_order.map((s, i) => [s.id, i]));
    const byKey = new Map<string, number[]>();
    for (const { key, raw } of values) {
      const list = byKey.get(key) ?? [];
      list.push(order.get(expectOk(decodeRedisPayload(raw)).id)!);
      byKey.set(key, list);
    }
    for (const sentIndexes of byKey.values()) {
      const popOrder = [...sentIndexes].reverse();
      expect(popOrder).toEqual([...popOrder].sort((a, b) => a - b));
    }
  });

  it('the countdown/expires/time_limit message has eta, expires and timelimit [hard, soft] = [30, 20]', () => {
    const special = fx.sent_in_order.find((s) => s.what.startsWith('countdown'))!;
    const value = values.find((v) => v.envelope.headers.id === special.id)!;
    const task = expectOk(decodeRedisPayload(value.raw));
    expect(task.task).toBe('myapp.tasks.generate_report');
    expect(task.eta).not.toBeNull();
    expect(task.expires).not.toBeNull();
    expect(task.eta).toMatch(ISO_WITH_OFFSET);
    expect(task.expires).toMatch(ISO_WITH_OFFSET);
    // countdown 60, expires 3600: both counted from the same send time.
    expect(Date.parse(task.expires!) - Date.parse(task.eta!)).toBe(3_540_000);
    expect(task.headers.timelimit).toEqual([30, 20]);
    expect(value.envelope.properties.expiration).toBe('3600000');
    expect(task.args).toEqual([]);
    expect(task.kwargs).toEqual({ month: '2026-11' });
  });

  it('the chain message carries the rest of the chain in embed.chain (stored reversed: next = last)', () => {
    const special = fx.sent_in_order.find((s) => s.what.startsWith('chain'))!;
    const value = values.find((v) => v.envelope.headers.id === special.id)!;
    const task = expectOk(decodeRedisPayload(value.raw));
    expect(task.args).toEqual([1, 'a']);
    expect(task.kwargs).toEqual({});
    expect(Array.isArray(task.embed?.chain)).toBe(true);
    expect(task.embed?.chain).toHaveLength(1);
    const next = task.embed?.chain?.at(-1) as { task: string; options: { task_id: string } };
    expect(next.task).toBe('myapp.tasks.generate_report');
    expect(next.options.task_id).toMatch(UUID);
    expect(task.embed?.callbacks).toBeNull();
    expect(task.embed?.errbacks).toBeNull();
    expect(task.embed?.chord).toBeNull();
  });
});

describe('decodeRedisPayload on a protocol v1 message (task_protocol = 1)', () => {
  it('decodes from the body, the headers being empty', () => {
    const result = decodeRedisPayload(v1.value);
    const task = expectOk(result);
    expect(task.protocol).toBe(1);
    expect(task.task).toBe('myapp.tasks.send_otp');
    expect(task.id).toBe('251c872f-8ec0-4ddc-a7b6-ee8c28451394');
    expect(task.args).toEqual([7]);
    expect(task.kwargs).toEqual({});
    expect(task.retries).toBe(0);
    expect(task.eta).toBeNull();
    expect(task.expires).toBeNull();
    expect(task.headers).toEqual({});
    expect(task.embed).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
    expect(result.envelope).toMatchObject({ brokerPriority: 0, exchange: '', routingKey: 'celery', redelivered: false });
  });

  it('takes eta, expires, retries and callbacks from a v1 body', () => {
    const body = {
      task: 'myapp.tasks.send_otp',
      id: 'v1-id',
      args: [1],
      kwargs: { a: 1 },
      retries: 2,
      eta: '2026-11-24T08:30:24.919326+00:00',
      expires: null,
      callbacks: [{ task: 'cb' }],
      errbacks: null,
      chord: null,
    };
    const raw = JSON.stringify({
      body: Buffer.from(JSON.stringify(body)).toString('base64'),
      'content-encoding': 'utf-8',
      'content-type': 'application/json',
      headers: {},
      properties: { priority: 0, body_encoding: 'base64', delivery_tag: 't', delivery_info: { exchange: '', routing_key: 'q' } },
    });
    const task = expectOk(decodeRedisPayload(raw));
    expect(task).toMatchObject({ protocol: 1, id: 'v1-id', retries: 2, eta: body.eta, expires: null });
    expect(task.embed?.callbacks).toEqual([{ task: 'cb' }]);
  });
});

describe('decodeAmqp on real RabbitMQ deliveries (x-max-priority 10)', () => {
  it('decodes all 13 messages with matching ids', () => {
    expect(rabbit.messages).toHaveLength(13);
    const ids = rabbit.messages.map((m) => {
      const task = expectOk(decodeAmqp({ headers: m.headers, properties: m.properties, body: m.body }));
      const [args, kwargs, embed] = JSON.parse(m.body) as [unknown, unknown, unknown];
      expect(task.protocol).toBe(2);
      expect(task.id).toBe(m.headers.id);
      expect(task.id).toBe(m.properties.correlation_id);
      expect(task.task).toBe(m.headers.task);
      expect(task.args).toEqual(args);
      expect(task.kwargs).toEqual(kwargs);
      expect(task.embed).toEqual(embed);
      expect(task.eta).toBe(m.headers.eta);
      expect(task.expires).toBe(m.headers.expires);
      return task.id;
    });
    expect(new Set(ids)).toEqual(new Set(rabbit.sent_in_order.map((s) => s.id)));
  });

  it('decodes a Buffer body too', () => {
    for (const m of rabbit.messages) {
      const fromBuffer = decodeAmqp({ headers: m.headers, properties: m.properties, body: Buffer.from(m.body) });
      expect(fromBuffer).toEqual(decodeAmqp({ headers: m.headers, properties: m.properties, body: m.body }));
    }
  });

  it('maps each wire priority to 9 − p of the Celery priority sent (no priority → 9), in delivery order', () => {
    const max = rabbit.queue_arguments['x-max-priority'];
    const sent = new Map(rabbit.sent_in_order.map((s) => [s.id, s]));
    const levels = rabbit.messages.map((m) => {
      const level = fromRabbitPriority(m.properties.priority, max);
      const celeryPriority = sent.get(m.properties.correlation_id)?.priority ?? null;
      // Celery's priority p is RabbitMQ's "higher first": Triage shows it as 9 − p.
      expect(level).toBe(celeryPriority === null ? 9 : 9 - celeryPriority);
      return level;
    });
    // basic.get delivered the most urgent Triage level first.
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
  });

  it('the countdown message has timelimit [30, 20], eta, expires and an AMQP expiration', () => {
    const m = rabbit.messages.find((x) => x.headers.eta !== null)!;
    const task = expectOk(decodeAmqp({ headers: m.headers, properties: m.properties, body: m.body }));
    expect(task.eta).toMatch(ISO_WITH_OFFSET);
    expect(task.expires).toMatch(ISO_WITH_OFFSET);
    expect(task.headers.timelimit).toEqual([30, 20]);
    expect(m.properties.expiration).toBe('3600000');
  });

  it('the chain message has embed.chain of 1', () => {
    const special = rabbit.sent_in_order.find((s) => s.what.startsWith('chain'))!;
    const m = rabbit.messages.find((x) => x.headers.id === special.id)!;
    const task = expectOk(decodeAmqp({ headers: m.headers, properties: m.properties, body: m.body }));
    expect(task.embed?.chain).toHaveLength(1);
  });

  it('normalizes the management API\'s "undefined" void values back to null', () => {
    const m = rabbit.messages.find((x) => x.headers.eta !== null && x.headers.timelimit !== null)!;
    const plain = rabbit.messages[0]!;
    // What `rabbitmqadmin get` shows for AMQP void header values (celery-wire.md §1.2).
    const managementHeaders = JSON.parse(JSON.stringify(plain.headers, (_k, v: unknown) => (v === null ? 'undefined' : v)));
    expect(managementHeaders.eta).toBe('undefined');
    expect(managementHeaders.timelimit).toEqual(['undefined', 'undefined']);
    const task = expectOk(decodeAmqp({ headers: managementHeaders, properties: plain.properties, body: plain.body }));
    expect(task.eta).toBeNull();
    expect(task.expires).toBeNull();
    expect(task.parentId).toBeNull();
    expect(task.headers).toEqual(plain.headers);
    expect(task.headers.timelimit).toEqual([null, null]);
    // Real values stay as they are.
    expect(expectOk(decodeAmqp({ headers: m.headers, properties: m.properties, body: m.body })).headers.timelimit).toEqual([
      30, 20,
    ]);
  });

  it('finds a void marker however deep it sits, and leaves byte-array headers alone', () => {
    const body = '[[], {}, {}]';
    const nested = expectOk(decodeAmqp({ headers: { task: 't', id: 'i', stamps: { a: ['x', { b: 'undefined' }] } }, properties: {}, body }));
    expect(nested.headers.stamps).toEqual({ a: ['x', { b: null }] });
    const bytes = Buffer.from('undefined');
    const untouched = expectOk(decodeAmqp({ headers: { task: 't', id: 'i', raw: bytes }, properties: {}, body }));
    expect(untouched.headers.raw).toBe(bytes);
  });

  it('accepts null or missing headers as protocol v1', () => {
    const body = JSON.stringify({ task: 't.v1', id: 'id-1', args: [], kwargs: {} });
    expect(expectOk(decodeAmqp({ headers: null, properties: {}, body })).protocol).toBe(1);
    expect(expectOk(decodeAmqp({ properties: { content_type: null }, body })).task).toBe('t.v1');
  });

  it('falls back to correlation_id when the id header is missing', () => {
    const task = expectOk(
      decodeAmqp({ headers: { task: 't' }, properties: { correlation_id: 'corr-1' }, body: '[[], {}, {}]' }),
    );
    expect(task.id).toBe('corr-1');
  });
});

describe('normalizeVoid', () => {
  it('turns "undefined" into null at any depth and leaves everything else alone', () => {
    expect(normalizeVoid('undefined')).toBeNull();
    expect(normalizeVoid({ a: 'undefined', b: ['undefined', 1, 'x'], c: { d: 'undefined' } })).toEqual({
      a: null,
      b: [null, 1, 'x'],
      c: { d: null },
    });
    for (const v of ['Undefined', 'undefined ', '', 0, false, null, 'null', 42.5]) expect(normalizeVoid(v)).toBe(v);
    expect(normalizeVoid(undefined)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------

describe('buildTaskMessage + toRedisPayload', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const route = { routingKey: 'celery' };

  function build(spec: Parameters<typeof buildTaskMessage>[0], wire?: number, r: Parameters<typeof toRedisPayload>[1] = route) {
    const message = buildTaskMessage(spec, wire);
    const payload = toRedisPayload(message, r);
    return { message, payload, envelope: JSON.parse(payload) as KombuEnvelope };
  }

  it('writes the envelope keys in kombu order', () => {
    const { envelope } = build({ task: 'myapp.tasks.send_email', args: [42, 'Welcome 2'], kwargs: { body: 'Hello!' } }, 3);
    expect(Object.keys(envelope)).toEqual(['body', 'content-encoding', 'content-type', 'headers', 'properties']);
    expect(Object.keys(envelope)).toEqual(Object.keys(plainRedisEnvelope()));
    expect(envelope['content-encoding']).toBe('utf-8');
    expect(envelope['content-type']).toBe('application/json');
  });

  it('writes the properties in kombu order with a fresh uuid delivery tag', () => {
    const { envelope, message } = build({ task: 't', id: 'fixed-id' }, 3);
    expect(Object.keys(envelope.properties)).toEqual([
      'correlation_id',
      'reply_to',
      'delivery_mode',
      'delivery_info',
      'priority',
      'body_encoding',
      'delivery_tag',
    ]);
    expect(Object.keys(envelope.properties)).toEqual(Object.keys(plainRedisEnvelope().properties));
    expect(Object.keys(envelope.properties.delivery_info)).toEqual(['exchange', 'routing_key']);
    expect(envelope.properties).toMatchObject({
      correlation_id: 'fixed-id',
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: 'celery' },
      priority: 3,
      body_encoding: 'base64',
    });
    expect(envelope.properties.delivery_tag).toMatch(UUID);
    expect(envelope.properties.reply_to).toMatch(UUID);
    expect(toRedisPayload(message, route)).not.toBe(toRedisPayload(message, route));
    const tags = new Set(Array.from({ length: 50 }, () => JSON.parse(toRedisPayload(message, route)).properties.delivery_tag));
    expect(tags.size).toBe(50);
  });

  it('puts expiration where kombu does (after delivery_mode) when the task expires', () => {
    vi.useFakeTimers({ now: new Date('2026-11-24T08:29:24.840Z') });
    const { envelope, message } = build({ task: 't', expires: '2026-11-24T09:29:24.840+00:00' }, 7);
    expect(message.properties.expiration).toBe('3600000');
    expect(envelope.properties.expiration).toBe('3600000');
    expect(Object.keys(envelope.properties)).toEqual(Object.keys(countdownRedisEnvelope().properties));
  });

  it('never writes a negative expiration for an expires in the past', () => {
    vi.useFakeTimers({ now: new Date('2026-11-24T10:00:00Z') });
    const { message } = build({ task: 't', expires: '2026-11-24T09:00:00+00:00' });
    expect(message.properties.expiration).toBe('0');
  });

  it('writes all Celery 5.2.6 v2 headers in its order, then triage_enqueued_at', () => {
    vi.useFakeTimers({ now: new Date('2026-11-24T08:00:00.000Z') });
    const { envelope } = build({ task: 'myapp.tasks.send_email', args: [42, 'Welcome 2'], kwargs: { body: 'Hello!' } });
    expect(Object.keys(envelope.headers)).toEqual([...CELERY_526_HEADERS, ENQUEUED_AT_HEADER]);
    const real = plainRedisEnvelope().headers;
    // Same key set and order as a real Celery 5.2.6 message, apart from Triage's extra header.
    expect(Object.keys(envelope.headers).filter((k) => k !== ENQUEUED_AT_HEADER)).toEqual(Object.keys(real));
    for (const key of Object.keys(real)) expect([key, kindOf(envelope.headers[key])]).toEqual([key, kindOf(real[key])]);
    const id = envelope.headers.id as string;
    expect(id).toMatch(UUID);
    expect(envelope.headers).toMatchObject({
      lang: 'py',
      task: 'myapp.tasks.send_email',
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: id,
      parent_id: null,
      // Exactly what Celery wrote for the same call (the fixture message).
      argsrepr: real.argsrepr,
      kwargsrepr: real.kwargsrepr,
      ignore_result: false,
      [ENQUEUED_AT_HEADER]: '2026-11-24T08:00:00.000Z',
    });
    expect(envelope.headers.origin).toMatch(/^\d+@.+$/);
    expect(envelope.properties.correlation_id).toBe(id);
  });

  it('base64-encodes the body [args, kwargs, embed] with embed keys in Celery order', () => {
    const { envelope } = build({ task: 't', args: [42, 'Welcome 2'], kwargs: { body: 'Hello!' } });
    const [args, kwargs, embed] = decodedBody(envelope);
    const [realArgs, realKwargs, realEmbed] = decodedBody(plainRedisEnvelope());
    expect(args).toEqual(realArgs);
    expect(kwargs).toEqual(realKwargs);
    expect(embed).toEqual(realEmbed);
    expect(Object.keys(embed)).toEqual(['callbacks', 'errbacks', 'chain', 'chord']);
  });

  it('defaults args to [] and kwargs to {}', () => {
    const { envelope } = build({ task: 't' });
    const [args, kwargs] = decodedBody(envelope);
    expect(args).toEqual([]);
    expect(kwargs).toEqual({});
    expect(envelope.headers.argsrepr).toBe('[]');
    expect(envelope.headers.kwargsrepr).toBe('{}');
  });

  it('round-trips through decodeRedisPayload', () => {
    vi.useFakeTimers({ now: new Date('2026-11-24T08:00:00.000Z') });
    const chain = [{ task: 'next', args: [], kwargs: {}, options: { task_id: 'n1' }, subtask_type: null, immutable: true }];
    const spec = {
      task: 'myapp.tasks.send_email',
      id: '11111111-2222-4333-8444-555555555555',
      args: [42, 'héllo ✓ 😀', { nested: [1.5, null, true] }],
      kwargs: { body: 'Hello!', to: ["o'brien@example.com"] },
      eta: '2026-11-24T08:30:00+00:00',
      retries: 2,
      rootId: 'root-1',
      parentId: 'parent-1',
      group: 'group-1',
      timelimit: [30, 20] as [number, number],
      origin: '123@host',
      embed: { callbacks: null, errbacks: null, chain, chord: null },
    };
    const { payload } = build(spec, 6, { routingKey: 'q1', exchange: 'ex', deliveryTag: 'tag-1' });
    const result = decodeRedisPayload(payload);
    const task = expectOk(result);
    expect(task).toMatchObject({
      protocol: 2,
      id: spec.id,
      task: spec.task,
      args: spec.args,
      kwargs: spec.kwargs,
      retries: 2,
      eta: spec.eta,
      expires: null,
      enqueuedAt: '2026-11-24T08:00:00.000Z',
      origin: '123@host',
      rootId: 'root-1',
      parentId: 'parent-1',
      embed: spec.embed,
    });
    expect(task.headers.group).toBe('group-1');
    expect(task.headers.timelimit).toEqual([30, 20]);
    expect(result.envelope).toEqual({
      brokerPriority: 6,
      deliveryTag: 'tag-1',
      exchange: 'ex',
      routingKey: 'q1',
      redelivered: false,
    });
  });

  it('round-trips the AMQP form through decodeAmqp', () => {
    const message = buildTaskMessage({ task: 't', args: [1], kwargs: { a: 'b' } }, 9);
    expect(message.properties).toMatchObject({
      priority: 9,
      delivery_mode: 2,
      content_type: 'application/json',
      content_encoding: 'utf-8',
      correlation_id: message.headers.id,
    });
    const task = expectOk(decodeAmqp(message));
    expect(task).toMatchObject({ id: message.headers.id, task: 't', args: [1], kwargs: { a: 'b' } });
  });

  it('writes priority 0 on Redis when no wire priority is given, as kombu does', () => {
    const { message, envelope } = build({ task: 't' });
    expect(message.properties.priority).toBeUndefined();
    expect(envelope.properties.priority).toBe(0);
  });

  it('carries extra headers after the Celery ones', () => {
    const { envelope } = build({
      task: 't',
      extraHeaders: { stamped_headers: ['s'], stamps: { s: 'v' }, replaced_task_nesting: 0 },
    });
    expect(Object.keys(envelope.headers)).toEqual([
      ...CELERY_526_HEADERS,
      'stamped_headers',
      'stamps',
      'replaced_task_nesting',
      ENQUEUED_AT_HEADER,
    ]);
    expect(expectOk(decodeRedisPayload(JSON.stringify(envelope))).headers.stamps).toEqual({ s: 'v' });
  });
});

// ---------------------------------------------------------------------------

describe('decoding is tolerant of other producers', () => {
  function redisPayload(
    headers: Record<string, unknown>,
    body: unknown,
    properties: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) {
    return JSON.stringify({
      body: typeof body === 'string' ? body : Buffer.from(JSON.stringify(body)).toString('base64'),
      'content-encoding': 'utf-8',
      'content-type': 'application/json',
      headers,
      properties: {
        correlation_id: headers.id,
        delivery_info: { exchange: '', routing_key: 'celery' },
        priority: 0,
        body_encoding: 'base64',
        delivery_tag: 'tag',
        ...properties,
      },
      ...extra,
    });
  }

  it('decodes Celery 5.3+ messages with stamping headers', () => {
    const real = plainRedisEnvelope();
    const newer = {
      ...real,
      headers: { ...real.headers, replaced_task_nesting: 0, stamped_headers: null, stamps: {}, unknown_future: [1] },
    };
    const task = expectOk(decodeRedisPayload(JSON.stringify(newer)));
    expect(task.id).toBe(real.headers.id);
    expect(task.headers.replaced_task_nesting).toBe(0);
  });

  it('decodes the minimal headers a real worker accepts ({lang, task, id, root_id, parent_id, group})', () => {
    const headers = { lang: 'js', task: 'myapp.tasks.send_email', id: 'min-1', root_id: 'min-1', parent_id: null, group: null };
    const task = expectOk(decodeRedisPayload(redisPayload(headers, [[1], {}, {}])));
    expect(task).toMatchObject({
      protocol: 2,
      id: 'min-1',
      task: 'myapp.tasks.send_email',
      args: [1],
      kwargs: {},
      retries: 0,
      eta: null,
      expires: null,
      enqueuedAt: null,
      origin: null,
      rootId: 'min-1',
      parentId: null,
    });
    expect(task.embed).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
  });

  it('decodes a plain JSON body when body_encoding is omitted (celery-wire.md §1.6)', () => {
    const headers = { lang: 'js', task: 't', id: 'plain-1', root_id: 'plain-1', parent_id: null, group: null };
    const envelope = JSON.parse(redisPayload(headers, '[[1, 2], {"a": 1}, {}]')) as KombuEnvelope;
    delete envelope.properties.body_encoding;
    const task = expectOk(decodeRedisPayload(JSON.stringify(envelope)));
    expect(task.args).toEqual([1, 2]);
    expect(task.kwargs).toEqual({ a: 1 });
    // body_encoding: null is treated the same way.
    envelope.properties.body_encoding = null;
    expect(decodeRedisPayload(JSON.stringify(envelope)).ok).toBe(true);
  });

  it('accepts a v2 body without embed, a missing content-type and whitespace in base64', () => {
    const headers = { task: 't', id: 'x-1' };
    const b64 = Buffer.from('[[], {}]').toString('base64');
    const envelope = JSON.parse(redisPayload(headers, `${b64.slice(0, 4)}\n${b64.slice(4)}`)) as Record<string, unknown>;
    delete envelope['content-type'];
    const task = expectOk(decodeRedisPayload(JSON.stringify(envelope)));
    expect(task.embed).toBeNull();
  });

  it('uses properties.correlation_id when the id header is missing', () => {
    const task = expectOk(decodeRedisPayload(redisPayload({ task: 't' }, [[], {}, {}], { correlation_id: 'corr-9' })));
    expect(task.id).toBe('corr-9');
  });

  it('sees a restored message as redelivered', () => {
    const real = plainRedisEnvelope();
    const restored = {
      ...real,
      headers: { ...real.headers, redelivered: true },
      properties: { ...real.properties, delivery_info: { ...real.properties.delivery_info, redelivered: true } },
    };
    expect(decodeRedisPayload(JSON.stringify(restored)).envelope?.redelivered).toBe(true);
  });

  it('reports missing envelope fields as null', () => {
    const result = decodeRedisPayload(JSON.stringify({ body: '[[], {}, {}]', headers: { task: 't', id: 'i' } }));
    expect(expectOk(result).id).toBe('i');
    expect(result.envelope).toEqual({
      brokerPriority: null,
      deliveryTag: null,
      exchange: null,
      routingKey: null,
      redelivered: false,
    });
  });
});

// ---------------------------------------------------------------------------

describe('undecodable inputs never throw', () => {
  const real = plainRedisEnvelope();
  const realRaw = JSON.stringify(real);
  const realId = real.headers.id as string;

  function withEnvelope(change: (e: KombuEnvelope) => void): string {
    const copy = JSON.parse(realRaw) as KombuEnvelope;
    change(copy);
    return JSON.stringify(copy);
  }

  const cases: [string, string | Buffer, { id?: string | null; taskName?: string | null; envelope?: boolean }][] = [
    ['not JSON', 'this is not json', { id: null, taskName: null, envelope: false }],
    ['empty string', '', { id: null, taskName: null, envelope: false }],
    ['truncated JSON', realRaw.slice(0, 100), { id: null, envelope: false }],
    ['a JSON array', '[1, 2, 3]', { id: null, envelope: false }],
    ['a JSON string', '"celery"', { id: null, envelope: false }],
    ['JSON null', 'null', { id: null, envelope: false }],
    ['a JSON number', '42', { id: null, envelope: false }],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]), { id: null, envelope: false }],
    [
      'a v1 message with body_encoding zlib',
      withEnvelope((e) => {
        e.headers = {};
        e.properties.body_encoding = 'zlib';
      }),
      { id: realId, taskName: null, envelope: true },
    ],
    [
      'a v1 message with a body that is not base64',
      withEnvelope((e) => {
        e.headers = {};
        e.body = '{"task": "t"}';
      }),
      { id: realId, taskName: null, envelope: true },
    ],
    [
      'a body that is not base64',
      withEnvelope((e) => {
        e.body = '[[1], {}, {}]';
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'a base64 body that is not JSON',
      withEnvelope((e) => {
        e.body = Buffer.from('not json at all').toString('base64');
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'body_encoding zlib',
      withEnvelope((e) => {
        e.properties.body_encoding = 'zlib';
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'no body',
      withEnvelope((e) => {
        delete (e as Partial<KombuEnvelope>).body;
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'a numeric body',
      withEnvelope((e) => {
        (e as unknown as { body: number }).body = 5;
      }),
      { id: realId, envelope: true },
    ],
    [
      'a pickle message (application/x-python-serialize)',
      withEnvelope((e) => {
        e['content-type'] = 'application/x-python-serialize';
        e['content-encoding'] = 'binary';
        // A pickled ((42, 'x'), {}, {...}) starts with the protocol marker \x80\x04.
        e.body = Buffer.from([0x80, 0x04, 0x95, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8c]).toString('base64');
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'a yaml message',
      withEnvelope((e) => {
        e['content-type'] = 'application/x-yaml';
        e.body = Buffer.from('- [1]\n- {}\n').toString('base64');
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'a v2 body that is an object',
      withEnvelope((e) => {
        e.body = Buffer.from('{"args": [1]}').toString('base64');
      }),
      { id: realId, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'a v2 body that is a string',
      withEnvelope((e) => {
        e.body = Buffer.from('"[[1], {}, {}]"').toString('base64');
      }),
      { id: realId, envelope: true },
    ],
    [
      'a v2 body with only args',
      withEnvelope((e) => {
        e.body = Buffer.from('[[1]]').toString('base64');
      }),
      { id: realId, envelope: true },
    ],
    [
      'a v2 message with no id at all',
      withEnvelope((e) => {
        delete e.headers.id;
        delete (e.properties as Partial<KombuEnvelope['properties']>).correlation_id;
      }),
      { id: null, taskName: 'myapp.tasks.send_email', envelope: true },
    ],
    [
      'a v1 body missing task',
      withEnvelope((e) => {
        e.headers = {};
        e.body = Buffer.from('{"id": "v1-no-task", "args": [], "kwargs": {}}').toString('base64');
      }),
      // The identity still comes from properties.correlation_id (= task id in v1 too).
      { id: realId, taskName: null, envelope: true },
    ],
    [
      'a v1 body missing id',
      withEnvelope((e) => {
        e.headers = {};
        e.body = Buffer.from('{"task": "t", "args": []}').toString('base64');
      }),
      { id: realId, taskName: null, envelope: true },
    ],
    [
      'no task header and a v2 body',
      withEnvelope((e) => {
        delete e.headers.task;
      }),
      { id: realId, taskName: null, envelope: true },
    ],
    [
      'a non-string task header',
      withEnvelope((e) => {
        e.headers.task = 42;
      }),
      { id: realId, taskName: null, envelope: true },
    ],
  ];

  it.each(cases)('%s → ok:false with a reason', (_what, input, expected) => {
    let result: RedisDecodeResult | undefined;
    expect(() => {
      result = decodeRedisPayload(input);
    }).not.toThrow();
    const failure = expectFailure(result!);
    if (expected.id !== undefined) expect(failure.id).toBe(expected.id);
    if (expected.taskName !== undefined) expect(failure.taskName).toBe(expected.taskName);
    if (expected.envelope !== undefined) expect(result!.envelope !== null).toBe(expected.envelope);
  });

  it('says why for the common cases', () => {
    expect(expectFailure(decodeRedisPayload('nope')).reason).toMatch(/not JSON/);
    expect(expectFailure(decodeRedisPayload('[]')).reason).toMatch(/not an object/);
    const zlib = withEnvelope((e) => {
      e.properties.body_encoding = 'zlib';
    });
    expect(expectFailure(decodeRedisPayload(zlib)).reason).toMatch(/zlib/);
    const pickle = withEnvelope((e) => {
      e['content-type'] = 'application/x-python-serialize';
    });
    expect(expectFailure(decodeRedisPayload(pickle)).reason).toMatch(/application\/x-python-serialize/);
  });

  it('survives huge garbage', () => {
    const huge = 'x'.repeat(5_000_000);
    expect(expectFailure(decodeRedisPayload(huge)).id).toBeNull();
    const hugeBody = withEnvelope((e) => {
      e.body = 'A'.repeat(4_000_000);
    });
    expect(expectFailure(decodeRedisPayload(hugeBody)).id).toBe(realId);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(decodeRedisPayload(deep).ok).toBe(false);
    const deepBody = withEnvelope((e) => {
      e.body = Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`).toString('base64');
    });
    expect(() => decodeRedisPayload(deepBody)).not.toThrow();
  });

  it('decodeAmqp never throws either', () => {
    const m = rabbit.messages[0]!;
    const bad: Parameters<typeof decodeAmqp>[0][] = [
      { headers: m.headers, properties: m.properties, body: '' },
      { headers: m.headers, properties: m.properties, body: 'not json' },
      { headers: m.headers, properties: m.properties, body: '{"a": 1}' },
      { headers: m.headers, properties: { ...m.properties, content_type: 'application/x-python-serialize' }, body: m.body },
      { headers: {}, properties: {}, body: '[[1], {}, {}]' },
      { headers: null, properties: {}, body: Buffer.from([0x80, 0x04, 0x95]) },
      { headers: { task: 't' }, properties: { correlation_id: null }, body: '[[], {}, {}]' },
    ];
    for (const input of bad) {
      let result: DecodeResult | undefined;
      expect(() => {
        result = decodeAmqp(input);
      }).not.toThrow();
      expectFailure(result!);
    }
    const pickle = expectFailure(
      decodeAmqp({ headers: m.headers, properties: { content_type: 'application/x-python-serialize' }, body: m.body }),
    );
    expect(pickle.id).toBe(m.headers.id);
    expect(pickle.taskName).toBe(m.headers.task);
  });

  describe('property: random mutations of real payloads', () => {
    // Deterministic PRNG (mulberry32) so a failure reproduces.
    function rng(seed: number) {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    const CHARS = '{}[]",:\\ 0123456789abcdefAZ+/=-_.\n\t\x00\x06\x16éü😀nulltrue';

    function mutate(text: string, random: () => number): string {
      const pick = (n: number) => Math.floor(random() * n);
      const char = () => CHARS[pick(CHARS.length)]!;
      const cut = pick(text.length + 1);
      switch (pick(6)) {
        case 0:
          return text.slice(0, cut);
        case 1:
          return text.slice(cut);
        case 2: {
          const chars = [...text];
          for (let i = 0, n = 1 + pick(8); i < n && chars.length > 0; i++) chars[pick(chars.length)] = char();
          return chars.join('');
        }
        case 3:
          return text.slice(0, cut) + char() + text.slice(cut);
        case 4:
          return text.slice(0, cut) + text.slice(cut + 1 + pick(20));
        default:
          return text.slice(0, cut) + text.slice(pick(text.length));
      }
    }

    const sources = [
      ...REDIS_FIXTURES.flatMap((n) => redisListValues(fixture<RedisFixture>(n)).map((v) => v.raw)),
      v1.value,
    ];

    it('decodeRedisPayload: whole-payload mutations', () => {
      const random = rng(20261124);
      for (let i = 0; i < 600; i++) {
        const source = sources[Math.floor(random() * sources.length)]!;
        let text = mutate(source, random);
        if (random() < 0.3) text = mutate(text, random);
        let result: RedisDecodeResult | undefined;
        expect(() => {
          result = decodeRedisPayload(text);
        }, text).not.toThrow();
        if (result!.ok) {
          expect(typeof result!.task.id).toBe('string');
          expect(typeof result!.task.task).toBe('string');
        } else {
          expect(result!.reason.length).toBeGreaterThan(0);
        }
      }
    });

    it('decodeRedisPayload: mutations of the decoded body and of the headers', () => {
      const random = rng(7);
      for (let i = 0; i < 300; i++) {
        const envelope = JSON.parse(sources[Math.floor(random() * sources.length)]!) as KombuEnvelope;
        const body = Buffer.from(envelope.body, 'base64').toString('utf8');
        envelope.body = Buffer.from(mutate(body, random)).toString('base64');
        if (random() < 0.5) {
          const headers = mutate(JSON.stringify(envelope.headers), random);
          try {
            envelope.headers = JSON.parse(headers) as Record<string, unknown>;
          } catch {
            (envelope as unknown as { headers: string }).headers = headers;
          }
        }
        expect(() => decodeRedisPayload(JSON.stringify(envelope))).not.toThrow();
      }
    });

    it('decodeAmqp: body and header mutations', () => {
      const random = rng(42);
      for (let i = 0; i < 300; i++) {
        const m = rabbit.messages[Math.floor(random() * rabbit.messages.length)]!;
        let headers: Record<string, unknown> | null = m.headers;
        if (random() < 0.5) {
          try {
            const parsed: unknown = JSON.parse(mutate(JSON.stringify(m.headers), random));
            headers = typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown> | null) : null;
          } catch {
            headers = null;
          }
        }
        const body = mutate(m.body, random);
        expect(() => decodeAmqp({ headers, properties: m.properties, body })).not.toThrow();
        expect(() => decodeAmqp({ headers, properties: m.properties, body: Buffer.from(body) })).not.toThrow();
      }
    });
  });
});

// ---------------------------------------------------------------------------

describe('withRedisPriority', () => {
  it('changes only properties.priority, keeping key order', () => {
    for (const name of REDIS_FIXTURES) {
      for (const { raw } of redisListValues(fixture<RedisFixture>(name))) {
        const before = JSON.parse(raw) as KombuEnvelope;
        const out = withRedisPriority(raw, 7);
        const after = JSON.parse(out) as KombuEnvelope;
        expect(after.properties.priority).toBe(7);
        expect({ ...after, properties: { ...after.properties, priority: before.properties.priority } }).toEqual(before);
        expect(Object.keys(after)).toEqual(Object.keys(before));
        expect(Object.keys(after.properties)).toEqual(Object.keys(before.properties));
        expect(after.body).toBe(before.body);
        const beforeResult = decodeRedisPayload(raw);
        const afterResult = decodeRedisPayload(out);
        expect(afterResult.envelope).toEqual({ ...beforeResult.envelope, brokerPriority: 7 });
        expect(afterResult.ok && afterResult.task).toEqual(beforeResult.ok && beforeResult.task);
      }
    }
  });

  it('adds a priority to an envelope that had none', () => {
    const out = JSON.parse(withRedisPriority(JSON.stringify({ body: 'e30=', properties: { delivery_tag: 't' } }), 3));
    expect(out.properties).toEqual({ delivery_tag: 't', priority: 3 });
  });
});

describe('argsrepr/kwargsrepr agree with what Celery wrote', () => {
  it('pyRepr of the fixture args (lists) and kwargs gives the recorded headers', () => {
    let compared = 0;
    for (const name of REDIS_FIXTURES) {
      for (const { envelope } of redisListValues(fixture<RedisFixture>(name))) {
        const [args, kwargs] = decodedBody(envelope);
        expect(pyRepr(kwargs)).toBe(envelope.headers.kwargsrepr);
        // Celery reprs the args tuple or list it was given; the fixtures sent lists except the chain's (1, 'a').
        if ((envelope.headers.argsrepr as string).startsWith('[')) {
          expect(pyRepr(args)).toBe(envelope.headers.argsrepr);
          compared++;
        }
      }
    }
    expect(compared).toBe(33);
  });
});

describe('buildTaskMessage reuses the encoding of the same args only within one synchronous run', () => {
  it('copies of one args array share a body; a mutation after an await is encoded anew', async () => {
    const args: unknown[] = ['a'];
    const kwargs = { k: 1 };
    const first = buildTaskMessage({ task: 't', args, kwargs });
    const second = buildTaskMessage({ task: 't', args, kwargs });
    expect(second.body).toBe(first.body);
    expect(second.headers.id).not.toBe(first.headers.id);
    args[0] = 'b';
    // Same tick: a caller mutating mid-run is not supported, so only check across a tick.
    await Promise.resolve();
    const third = buildTaskMessage({ task: 't', args, kwargs });
    expect(JSON.parse(third.body)[0]).toEqual(['b']);
    expect(third.headers.argsrepr).toBe("['b']");
    const payload = JSON.parse(toRedisPayload(third, { routingKey: 'q' })) as { body: string };
    expect(Buffer.from(payload.body, 'base64').toString('utf8')).toBe(third.body);
  });
});
