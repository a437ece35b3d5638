import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { connect, type ChannelModel, type GetMessage, type Options } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RabbitBrokerConfigSchema, type RabbitQueueConfig } from './config';
import { TriageError } from '@/lib/shared/errors';
import { PRIORITIES, emptyByPriority, rabbitLevels, toRabbitPriority } from '@/lib/shared/priority';
import type { EnqueueItem } from '../types';
import { RabbitConnection, silentLogger, type Logger } from './connection';
import { ManagementClient } from './management';
import { NO_PRIORITY_WARNING } from './queue-view';
import { RabbitBroker, type RabbitBrokerOptions } from './rabbitmq-broker';
import { ensureQueue } from './topology';

/**
 * Against the real local RabbitMQ (npm run services). Every test names its queues
 * uniquely and deletes them; waits are on conditions (management statistics lag by
 * ~5 s), never fixed sleeps.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
const DEAD_AMQP_URL = 'amqp://guest:guest@127.0.0.1:1';

let raw: ChannelModel;
const queuesToDelete = new Set<string>();
const brokersToClose: RabbitBroker[] = [];

beforeAll(async () => {
  raw = await connect(AMQP_URL, { noDelay: true });
});

afterEach(async () => {
  await Promise.all(brokersToClose.splice(0).map((b) => b.close()));
  for (const name of queuesToDelete) {
    await onChannel((ch) => ch.deleteQueue(name)).catch(() => {});
  }
  queuesToDelete.clear();
});

afterAll(async () => {
  await raw.close();
});

// ---------------------------------------------------------------------------
// helpers

/** A local port nothing listens on (fetch refuses port 1 outright as a "bad port"). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function uniqueName(): string {
  const name = `t-${randomUUID()}`;
  queuesToDelete.add(name);
  return name;
}

/** A throwaway raw channel, so a 404 in a helper never kills the shared connection. */
async function onChannel<T>(work: (ch: Awaited<ReturnType<ChannelModel['createConfirmChannel']>>) => Promise<T>): Promise<T> {
  const ch = await raw.createConfirmChannel();
  ch.on('error', () => {});
  let open = true;
  ch.on('close', () => {
    open = false;
  });
  try {
    return await work(ch);
  } finally {
    if (open) await ch.close().catch(() => {});
  }
}

async function newQueue(args: Record<string, unknown>): Promise<string> {
  const name = uniqueName();
  await onChannel((ch) => ch.assertQueue(name, { durable: true, arguments: args }));
  return name;
}

function brokerConfig(overrides: { url?: string; managementUrl?: string; queues?: Partial<RabbitQueueConfig>[] } = {}) {
  return RabbitBrokerConfigSchema.parse({
    id: 'rabbitmq-test',
    kind: 'rabbitmq',
    url: overrides.url ?? AMQP_URL,
    managementUrl: overrides.managementUrl ?? MANAGEMENT_URL,
    queues: overrides.queues ?? [],
  });
}

async function startBroker(
  overrides: Parameters<typeof brokerConfig>[0] = {},
  options: RabbitBrokerOptions = {},
): Promise<RabbitBroker> {
  const broker = new RabbitBroker(brokerConfig(overrides), options);
  brokersToClose.push(broker);
  await broker.connect();
  return broker;
}

/** Polls until `accept` holds; fails with the last value seen. */
async function poll<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  // Management statistics refresh every ~5 s; leave room for a busy broker.
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}; last error ${String(lastError)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function exactCount(queue: string): Promise<number> {
  return (await onChannel((ch) => ch.checkQueue(queue))).messageCount;
}

/** Takes every message off the queue (acking), in delivery order. */
async function takeAll(queue: string): Promise<GetMessage[]> {
  return onChannel(async (ch) => {
    const out: GetMessage[] = [];
    for (;;) {
      const got = await ch.get(queue, { noAck: true });
      if (!got) return out;
      out.push(got);
    }
  });
}

async function publishRaw(queue: string, messages: { body: Buffer | string; options: Options.Publish }[]): Promise<void> {
  await onChannel(async (ch) => {
    for (const m of messages) ch.publish('', queue, Buffer.isBuffer(m.body) ? m.body : Buffer.from(m.body, 'utf8'), m.options);
    await ch.waitForConfirms();
  });
}

const managementBase = (() => {
  const url = new URL(MANAGEMENT_URL);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  return { root: url.toString().replace(/\/+$/, ''), auth };
})();

async function management(pathname: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${managementBase.root}${pathname}`, {
    ...init,
    headers: { authorization: managementBase.auth, ...(init.headers as Record<string, string> | undefined) },
    signal: AbortSignal.timeout(10_000),
  });
}

async function managementQueue(name: string): Promise<Record<string, unknown>> {
  const response = await management(`/api/queues/%2F/${encodeURIComponent(name)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function expectTriageError(promise: Promise<unknown>, code: TriageError['code']): Promise<TriageError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TriageError);
  expect((error as TriageError).code).toBe(code);
  return error as TriageError;
}

function item(priority: number, args: unknown[], task = 'myapp.tasks.send_email', kwargs: Record<string, unknown> = {}): EnqueueItem {
  return { priority, spec: { task, args, kwargs } };
}

function recordingLogger(): Logger & { entries: { level: string; msg: string }[] } {
  const entries: { level: string; msg: string }[] = [];
  return {
    entries,
    info: (_obj, msg) => entries.push({ level: 'info', msg: msg ?? '' }),
    warn: (_obj, msg) => entries.push({ level: 'warn', msg: msg ?? '' }),
    error: (_obj, msg) => entries.push({ level: 'error', msg: msg ?? '' }),
  };
}

// ---------------------------------------------------------------------------

describe('RabbitBroker against a real RabbitMQ', () => {
  it('enqueues Celery v2 messages a raw basic.get reads back: priority 9 − p, headers, body, persistent, priority order then FIFO', async () => {
    const queue = await newQueue({ 'x-max-priority': 10 });
    const broker = await startBroker();
    const publishOrder = [5, 0, 9, 3, 7, 1, 8, 2, 6, 4];
    const items = ['a', 'b'].flatMap((round) => publishOrder.map((p) => item(p, [p, round], 'myapp.tasks.send_email', { round })));

    const before = Math.floor(Date.now() / 1000);
    const ids = await broker.enqueue(queue, items);
    const after = Math.ceil(Date.now() / 1000);
    expect(ids).toHaveLength(items.length);
    expect(new Set(ids).size).toBe(items.length);

    const got = await takeAll(queue);
    expect(got).toHaveLength(items.length);
    // Priority order (AMQP 9 first = Triage 0 first), and within a priority FIFO: a before b.
    expect(got.map((m) => JSON.parse(m.content.toString('utf8'))[0])).toEqual(
      PRIORITIES.flatMap((p) => [
        [p, 'a'],
        [p, 'b'],
      ]),
    );
    for (const message of got) {
      const body = JSON.parse(message.content.toString('utf8')) as [unknown[], Record<string, unknown>, Record<string, unknown>];
      const [args, kwargs, embed] = body;
      const p = args[0] as number;
      const index = items.findIndex((i) => i.priority === p && i.spec.args?.[1] === args[1]);
      const id = ids[index];
      const { properties } = message;
      expect(properties.priority).toBe(9 - p);
      expect(properties.headers?.task).toBe('myapp.tasks.send_email');
      expect(properties.headers?.id).toBe(id);
      expect(properties.headers?.lang).toBe('py');
      expect(properties.headers?.root_id).toBe(id);
      expect(properties.headers?.retries).toBe(0);
      expect(properties.correlationId).toBe(id);
      expect(properties.deliveryMode).toBe(2);
      expect(properties.contentType).toBe('application/json');
      expect(properties.contentEncoding).toBe('utf-8');
      expect(typeof properties.replyTo).toBe('string');
      expect(properties.timestamp).toBeGreaterThanOrEqual(before);
      expect(properties.timestamp).toBeLessThanOrEqual(after);
      expect(Date.parse(properties.headers?.triage_enqueued_at as string)).toBeGreaterThanOrEqual(before * 1000);
      expect(kwargs).toEqual({ round: args[1] });
      expect(embed).toEqual({ callbacks: null, errbacks: null, chain: null, chord: null });
      expect(message.fields.redelivered).toBe(false);
    }
  });

  it('lists per-priority depth matching the management API priority_lengths mapped 9 − b', async () => {
    const queue = await newQueue({ 'x-max-priority': 10 });
    const broker = await startBroker();
    const counts: Record<number, number> = { 0: 1, 3: 2, 5: 4, 9: 3 };
    await broker.enqueue(
      queue,
      Object.entries(counts).flatMap(([p, n]) => Array.from({ length: n }, (_, i) => item(Number(p), [i]))),
    );
    // A foreign producer's message without any priority counts as 9.
    await publishRaw(queue, [{ body: '[[], {}, {}]', options: { headers: { task: 'x.y', id: 'no-priority' }, correlationId: 'no-priority' } }]);
    expect(await exactCount(queue)).toBe(11);

    // Under load the management API reports messages_ready before it reports the
    // per-priority split (the adapter flags that with a warning): wait for both.
    const split = (q: { depth: number; warnings: string[] } | undefined) =>
      q?.depth === 11 && !q.warnings.some((w) => w.includes('per-priority split not reported'));
    const listed = await poll(
      'management statistics to catch up with the exact count and the priority split',
      async () => (await broker.listQueues()).find((q) => q.name === queue),
      split,
    );
    const record = await poll(
      'the management record to carry priority_lengths',
      () => managementQueue(queue),
      (r) => Boolean((r.backing_queue_status as { priority_lengths?: unknown } | undefined)?.priority_lengths),
    );
    const lengths = (record.backing_queue_status as { priority_lengths: Record<string, number> }).priority_lengths;
    const fromManagement = emptyByPriority();
    for (const [b, n] of Object.entries(lengths)) {
      const level = String(Math.max(0, 9 - Number(b)));
      fromManagement[level] = (fromManagement[level] ?? 0) + n;
    }
    expect(listed!.byPriority).toEqual(fromManagement);
    expect(listed!.byPriority).toEqual({ ...emptyByPriority(), '0': 1, '3': 2, '5': 4, '9': 4 });
    expect(listed).toMatchObject({
      broker: 'rabbitmq-test',
      kind: 'rabbitmq',
      depth: 11,
      inFlight: 0,
      consumers: 0,
      paused: false,
      levels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      warnings: [],
    });
    expect(listed!.details).toMatchObject({ maxPriority: 10, arguments: { 'x-max-priority': 10 }, type: 'classic', durable: true });
    expect(Object.keys(listed!.oldestAgeSecByPriority).sort()).toEqual(PRIORITIES.map(String));
    // Triage stamps the AMQP timestamp, so RabbitMQ knows the head's age; the head is level 0.
    expect(listed!.oldestAgeSec).toBeGreaterThanOrEqual(0);
    expect(listed!.oldestAgeSecByPriority['0']).toBe(listed!.oldestAgeSec);
    expect(listed!.oldestAgeSecByPriority['9']).toBeNull();

    const single = await broker.getQueue(queue);
    expect(single).toMatchObject({ name: queue, depth: 11, byPriority: listed!.byPriority, consumers: 0 });
    expect(single!.details).toMatchObject({ exactDepth: 11, statsLagging: false });
  });

  it('decodes the recorded real-Celery messages in priority order, no priority last, and flags undecodable ones', async () => {
    const fixture = JSON.parse(readFileSync(path.resolve(__dirname, '../../../test/fixtures/rabbitmq-x-max-priority-10.json'), 'utf8')) as {
      queue_arguments: Record<string, unknown>;
      sent_in_order: { id: string; priority: number | null }[];
      messages: {
        properties: Record<string, unknown> & { priority?: number; correlation_id: string };
        headers: Record<string, unknown>;
        body: string;
      }[];
    };
    const queue = await newQueue(fixture.queue_arguments);
    const broker = await startBroker();
    const byId = new Map(fixture.messages.map((m) => [m.properties.correlation_id, m]));
    // Published as Celery sent them; RabbitMQ must deliver them as recorded.
    await publishRaw(
      queue,
      fixture.sent_in_order.map(({ id }) => {
        const m = byId.get(id)!;
        const p = m.properties;
        return {
          body: m.body,
          options: {
            headers: m.headers,
            contentType: p.content_type as string,
            contentEncoding: p.content_encoding as string,
            deliveryMode: p.delivery_mode as number,
            correlationId: p.correlation_id,
            replyTo: p.reply_to as string,
            ...(p.priority !== undefined ? { priority: p.priority } : {}),
            ...(p.expiration !== undefined ? { expiration: p.expiration as string } : {}),
          },
        };
      }),
    );
    // Two a dashboard must show rather than drop: not JSON, and not even UTF-8.
    await publishRaw(queue, [
      { body: 'not json', options: { priority: 1, headers: { task: 'myapp.tasks.broken', id: 'bad-1' }, contentType: 'application/json' } },
      { body: Buffer.from([0xff, 0xfe, 0x00, 0x80]), options: { correlationId: 'bin-1', contentType: 'application/octet-stream' } },
    ]);

    const page = await broker.browse(queue, { limit: 50 });
    const decoded = page.messages.filter((m) => !m.decodeError);
    expect(decoded.map((m) => m.id)).toEqual(fixture.messages.map((m) => m.properties.correlation_id));
    // Non-decreasing Triage priority: exactly the order a worker receives them.
    const levels = page.messages.map((m) => m.priority);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    for (const message of decoded) {
      const recorded = byId.get(message.id)!;
      const b = recorded.properties.priority ?? null;
      expect(message.brokerPriority).toBe(b);
      expect(message.priority).toBe(b === null ? 9 : 9 - b);
      expect(message.task).toBe(recorded.headers.task);
      expect(message.protocol).toBe(2);
      expect([message.args, message.kwargs]).toEqual((JSON.parse(recorded.body) as unknown[]).slice(0, 2));
    }
    const none = decoded.find((m) => m.brokerPriority === null)!;
    expect(none.id).toBe('a0d87ef5-cf9f-4caa-bfd5-c4ea46e4c4b1');
    expect(decoded.slice(-2).map((m) => m.brokerPriority)).toEqual([null, 0]);
    const report = decoded.find((m) => m.id === '51b3272a-17a7-4f75-9545-3b3c0047efd0')!;
    expect(report).toMatchObject({ task: 'myapp.tasks.generate_report', eta: '2026-11-24T08:30:24.919326+00:00', kwargs: { month: '2026-11' } });

    const broken = page.messages.find((m) => m.id === 'bad-1')!;
    expect(broken).toMatchObject({ task: 'myapp.tasks.broken', priority: 9 - 1, brokerPriority: 1, raw: 'not json', protocol: null });
    expect(broken.decodeError).toMatch(/JSON/);
    const binary = page.messages.find((m) => m.id === 'bin-1')!;
    expect(binary).toMatchObject({ task: '', priority: 9, brokerPriority: null, raw: `base64:${Buffer.from([0xff, 0xfe, 0x00, 0x80]).toString('base64')}` });
    expect(binary.decodeError).toEqual(expect.any(String));
    expect(await exactCount(queue)).toBe(fixture.messages.length + 2);
  });

  it('lists queues page by page from the management API, each once', async () => {
    // Five queues at two per page: at least three pages, whatever else the vhost holds.
    const ours = await Promise.all(Array.from({ length: 5 }, () => newQueue({ 'x-max-priority': 10 })));
    const client = new ManagementClient(MANAGEMENT_URL, '/', { pageSize: 2 });
    const records = await client.listQueues();
    const names = records.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ours) expect(names).toContain(name);
    const record = records.find((r) => r.name === ours[0])!;
    expect(record).toMatchObject({ type: 'classic', durable: true, autoDelete: false, exclusive: false, arguments: { 'x-max-priority': 10 } });
  });

  it('a queue without x-max-priority: one level [0], a warning, FIFO whatever the priority', async () => {
    const queue = await newQueue({});
    const broker = await startBroker();
    const ids = await broker.enqueue(queue, [item(0, ['a']), item(9, ['b']), item(5, ['c'])]);
    const listed = await poll(
      'management statistics to show 3 ready',
      () => broker.getQueue(queue),
      (q) => q?.depth === 3,
    );
    expect(listed!.levels).toEqual([0]);
    expect(listed!.byPriority).toEqual({ ...emptyByPriority(), '0': 3 });
    expect(listed!.warnings).toContain(NO_PRIORITY_WARNING);
    expect(listed!.details.maxPriority).toBeNull();
    const page = await broker.browse(queue, { limit: 10 });
    expect(page.messages.map((m) => m.id)).toEqual(ids);
    expect(page.messages.map((m) => [m.priority, m.brokerPriority])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('a configured queue that exists with another x-max-priority: a warning, the real maximum used, no 406', async () => {
    const existing = await newQueue({ 'x-max-priority': 5 });
    const missing = uniqueName();
    const broker = await startBroker({ queues: [{ name: existing, maxPriority: 10 }, { name: missing, maxPriority: 10 }] });
    expect(broker.connectionState).toBe('connected');

    const queue = await broker.getQueue(existing);
    expect(queue!.warnings.some((w) => /x-max-priority 10 but the queue was declared with 5/.test(w))).toBe(true);
    expect(queue!.details.maxPriority).toBe(5);
    expect(queue!.levels).toEqual(rabbitLevels(5));
    await broker.enqueue(existing, [item(0, ['urgent'])]);
    const [got] = await takeAll(existing);
    expect(got!.properties.priority).toBe(toRabbitPriority(0, 5));

    // The missing one was declared at connect with Celery's arguments.
    const declared = await managementQueue(missing);
    expect(declared).toMatchObject({ arguments: { 'x-max-priority': 10 }, durable: true });
    const listed = (await broker.listQueues()).filter((q) => q.name === existing || q.name === missing);
    expect(listed.map((q) => q.name)).toEqual([existing, missing]);
    expect(listed[1]!.warnings).toEqual([]);

    expect((await broker.health()).ok).toBe(true);
    expect(broker.connectionState).toBe('connected');
  });

  it('a 406 from declaring over an existing queue closes only the throwaway channel', async () => {
    const existing = await newQueue({ 'x-max-priority': 5 });
    const connection = new RabbitConnection({ url: AMQP_URL, connectionName: `t-conn-${randomUUID()}` });
    try {
      await connection.connect();
      // A vhost that does not exist makes the management API report "no such queue", so
      // topology declares and meets the real queue's other arguments.
      const blind = new ManagementClient(MANAGEMENT_URL, `no-such-vhost-${randomUUID()}`);
      const result = await ensureQueue(connection, blind, { name: existing, maxPriority: 10, arguments: {}, durable: true }, silentLogger);
      expect(result.declared).toBe(false);
      expect(result.warnings.join()).toMatch(/other arguments.*PRECONDITION_FAILED.*x-max-priority/);
      expect(connection.state).toBe('connected');
      const check = await connection.withChannel((ch) => ch.checkQueue(existing));
      expect(check.queue).toBe(existing);
    } finally {
      await connection.close();
    }
  });

  it('with the management API down: AMQP still enqueues and browses, health says what is missing', async () => {
    const existing = await newQueue({ 'x-max-priority': 10 });
    const managementUrl = `http://guest:guest@127.0.0.1:${await closedPort()}`;
    const broker = await startBroker({ managementUrl, queues: [{ name: existing, maxPriority: 10 }] });
    expect(broker.connectionState).toBe('connected');
    const health = await broker.health();
    expect(health.ok).toBe(false);
    expect(health.latencyMs).toEqual(expect.any(Number));
    expect(health.version).toBe('3.10.8');
    expect(health.error).toMatch(/management API .*unreachable.*ECONNREFUSED/);
    expect(health.hint).toMatch(/rabbitmq_management/);
    await expectTriageError(broker.listQueues(), 'UNAVAILABLE');

    const ids = await broker.enqueue(existing, [item(3, ['x']), item(0, ['y'])]);
    const page = await broker.browse(existing, { limit: 10 });
    expect(page.messages.map((m) => m.id)).toEqual([ids[1], ids[0]]);
  });

  it('lists configured queues that do not exist yet with depth 0 while AMQP is down', async () => {
    const missing = uniqueName();
    const broker = await startBroker({ url: DEAD_AMQP_URL, queues: [{ name: missing }] });
    const listed = (await broker.listQueues()).find((q) => q.name === missing);
    expect(listed).toMatchObject({ depth: 0, byPriority: emptyByPriority(), levels: rabbitLevels(10), inFlight: 0 });
    expect(listed!.warnings.join()).toMatch(/does not exist/);
    expect(await broker.getQueue(missing)).toMatchObject({ name: missing, depth: 0 });
  });

  it('reconnects by itself after the server closes its connection, and re-declares the topology', async () => {
    const logger = recordingLogger();
    const configured = uniqueName();
    const broker = await startBroker({ queues: [{ name: configured }] }, { logger, reconnect: { initialDelayMs: 50, maxDelayMs: 1000 } });
    const queue = await newQueue({ 'x-max-priority': 10 });
    await broker.enqueue(queue, [item(1, ['before'])]);

    type Connection = { name: string; client_properties?: { connection_name?: string } };
    const ours = async () => {
      const response = await management('/api/connections?columns=name,client_properties');
      const all = (await response.json()) as Connection[];
      return all.filter((c) => c.client_properties?.connection_name === broker.connectionName);
    };
    const [before] = await poll('the adapter connection to be listed', ours, (list) => list.length === 1);

    // Gone while disconnected: the reconnect must declare it again.
    await onChannel((ch) => ch.deleteQueue(configured));
    const closed = await management(`/api/connections/${encodeURIComponent(before!.name)}`, {
      method: 'DELETE',
      headers: { 'X-Reason': 'triage reconnect test' },
    });
    expect(closed.status).toBe(204);

    await poll('the adapter to notice', async () => logger.entries, (e) => e.some((x) => x.msg.includes('connection lost')), 10_000, 20);
    await poll(
      'enqueue to work again',
      () => broker.enqueue(queue, [item(2, ['after'])]),
      (ids) => ids.length === 1,
    );
    const [after] = await poll('a new connection', ours, (list) => list.length === 1 && list[0]!.name !== before!.name);
    expect(after!.name).not.toBe(before!.name);
    expect(broker.connectionState).toBe('connected');
    expect((await broker.health()).ok).toBe(true);
    expect(await exactCount(configured)).toBe(0);
    expect((await managementQueue(configured)).arguments).toEqual({ 'x-max-priority': 10 });
    expect((await takeAll(queue)).map((m) => JSON.parse(m.content.toString('utf8'))[0])).toEqual([['before'], ['after']]);
  });
});
