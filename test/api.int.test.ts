import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import type { Redis } from 'ioredis';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { KOMBU_DEFAULT_SEP } from '@/lib/shared/priority';
import type { Health, MessagePage, Queue } from '@/lib/shared/types';
import { resetRuntime } from '@/lib/server/runtime';
import * as health from '@/app/api/v1/health/route';
import * as queues from '@/app/api/v1/queues/route';
import * as queue from '@/app/api/v1/queues/[broker]/[queue]/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import * as messages from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';

const SEP = KOMBU_DEFAULT_SEP;
const rq = uniqueName('api-redis');
const rmq = uniqueName('api-rabbit');
let redis: Redis;
let connection: amqp.ChannelModel;

const enqueue = (broker: string, q: string, body: unknown) =>
  call<{ ids: string[] }>(tasks.POST, 'POST', `/api/v1/queues/${broker}/${encodeURIComponent(q)}/tasks`, { broker, queue: q }, body);
const getQueue = (broker: string, q: string) => call<Queue>(queue.GET, 'GET', `/api/v1/queues/${broker}/${q}`, { broker, queue: q });
const browse = (broker: string, q: string, qs = '') =>
  call<MessagePage>(messages.GET, 'GET', `/api/v1/queues/${broker}/${q}/messages${qs}`, { broker, queue: q });

async function managementQueue(name: string): Promise<Record<string, unknown>> {
  const url = new URL(MANAGEMENT_URL);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  const res = await fetch(`${url.origin}/api/queues/%2F/${encodeURIComponent(name)}`, { headers: { authorization: `Basic ${auth}` } });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  useConfig({
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: rq }], discover: true },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: rmq, maxPriority: 10 }] },
    ],
  });
  redis = rawRedis();
  connection = await amqp.connect(AMQP_URL);
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, rq);
  const channel = await connection.createChannel();
  await channel.deleteQueue(rmq);
  await connection.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('GET /api/v1/health', () => {
  it('reports both brokers ok', async () => {
    const res = await waitFor('both brokers up', async () => {
      const r = await call<Health>(health.GET, 'GET', '/api/v1/health');
      return r.body.status === 'ok' ? r : null;
    });
    expect(res.status).toBe(200);
    expect(res.body.brokers.map((b) => [b.id, b.kind, b.ok])).toEqual([
      ['redis', 'redis', true],
      ['rabbitmq', 'rabbitmq', true],
    ]);
    expect(res.body.brokers.every((b) => typeof b.latencyMs === 'number')).toBe(true);
  });
});

describe('POST /api/v1/queues/{broker}/{queue}/tasks', () => {
  it('puts a Redis message exactly where kombu would', async () => {
    const res = await enqueue('redis', rq, { task: 'myapp.tasks.send_email', args: [42, 'hi'], kwargs: { body: 'x' }, priority: 4 });
    expect(res.status).toBe(201);
    expect(res.body.ids).toHaveLength(1);
    const raw = await redis.lrange(`${rq}${SEP}3`, 0, -1);
    expect(raw).toHaveLength(1);
    const decoded = decodeRedisPayload(raw[0]!);
    expect(decoded.ok && decoded.task).toMatchObject({ id: res.body.ids[0], task: 'myapp.tasks.send_email', args: [42, 'hi'], kwargs: { body: 'x' } });
    expect(decoded.envelope).toMatchObject({ brokerPriority: 4, routingKey: rq, exchange: '' });
  });

  it('publishes to RabbitMQ with priority 9 - p', async () => {
    const res = await enqueue('rabbitmq', rmq, { task: 'myapp.tasks.send_otp', args: [1], priority: 2, count: 3 });
    expect(res.status).toBe(201);
    expect(res.body.ids).toHaveLength(3);
    const channel = await connection.createChannel();
    const got: amqp.GetMessage[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await channel.get(rmq, { noAck: false });
      if (m) got.push(m);
    }
    expect(got.map((m) => m.properties.priority)).toEqual([7, 7, 7]);
    expect(got.map((m) => m.properties.headers?.id)).toEqual(res.body.ids);
    expect(JSON.parse(got[0]!.content.toString())[0]).toEqual([1]);
    await channel.close(); // unacked → requeued
  });

  it.each([
    ['unknown broker', 'nope', () => rq, { task: 't' }, 404],
    ['unknown queue', 'redis', () => uniqueName('missing'), { task: 't' }, 404],
    ['priority 10', 'redis', () => rq, { task: 't', priority: 10 }, 400],
    ['priority -1', 'redis', () => rq, { task: 't', priority: -1 }, 400],
    ['priority "high"', 'redis', () => rq, { task: 't', priority: 'high' }, 400],
    ['count 0', 'redis', () => rq, { task: 't', count: 0 }, 400],
    ['count 1,000,001', 'redis', () => rq, { task: 't', count: 1_000_001 }, 400],
    ['no task', 'redis', () => rq, { args: [] }, 400],
    ['args not an array', 'redis', () => rq, { task: 't', args: { a: 1 } }, 400],
    ['unknown field', 'redis', () => rq, { task: 't', prio: 1 }, 400],
    ['malformed JSON', 'redis', () => rq, '{"task": ', 400],
    ['oversize body', 'redis', () => rq, JSON.stringify({ task: 't', args: ['x'.repeat(1_100_000)] }), 413],
    ['priority 10 on RabbitMQ', 'rabbitmq', () => rmq, { task: 't', priority: 10 }, 400],
  ])('rejects %s with the error shape and changes nothing', async (_label, broker, q, body, status) => {
    // RabbitMQ's count is read exactly over AMQP: the management API's statistics lag by
    // seconds, so earlier tests' publishes and requeues could show up between two listings.
    const rabbitDepth = async () => {
      const channel = await connection.createChannel();
      const { messageCount } = await channel.checkQueue(rmq);
      await channel.close();
      return messageCount;
    };
    const depths = async () => {
      const listed = await call<{ queues: Queue[] }>(queues.GET, 'GET', '/api/v1/queues');
      return [listed.body.queues.find((x) => x.name === rq)?.depth, await rabbitDepth()];
    };
    const before = await depths();
    const res = await enqueue(broker, q(), body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    if (status === 400 && typeof body === 'object') expect((res.body as unknown as { error: { details: unknown } }).error.details).toBeDefined();
    expect(await depths()).toEqual(before);
  });
});

describe('GET /api/v1/queues and /messages', () => {
  it('per-priority counts match raw LLENs and the management API priority_lengths', async () => {
    await enqueue('redis', rq, { task: 't', priority: 0, count: 2 });
    await enqueue('redis', rq, { task: 't', priority: 9, count: 3 });
    await enqueue('rabbitmq', rmq, { task: 't', priority: 0, count: 2 });
    await enqueue('rabbitmq', rmq, { task: 't', priority: 9, count: 1 });

    const list = await call<{ queues: Queue[] }>(queues.GET, 'GET', '/api/v1/queues');
    const redisQueue = list.body.queues.find((x) => x.broker === 'redis' && x.name === rq)!;
    expect(redisQueue.byPriority).toMatchObject({
      '0': await redis.llen(rq),
      '3': await redis.llen(`${rq}${SEP}3`),
      '6': await redis.llen(`${rq}${SEP}6`),
      '9': await redis.llen(`${rq}${SEP}9`),
    });
    expect(redisQueue.byPriority['9']).toBe(3);
    expect(Object.keys(redisQueue.byPriority)).toHaveLength(10);

    // Management statistics refresh every few seconds, field by field: wait until the raw
    // priority_lengths and Triage's view both show the final six messages, then compare.
    const { lengths, rabbit } = await waitFor(
      'management stats and the API to settle on 6 messages',
      async () => {
        const q = await managementQueue(rmq);
        const raw = (q.backing_queue_status as { priority_lengths?: Record<string, number> } | undefined)?.priority_lengths;
        const api = (await getQueue('rabbitmq', rmq)).body;
        const rawTotal = Object.values(raw ?? {}).reduce((a, b) => a + b, 0);
        return raw && rawTotal === 6 && api.depth === 6 ? { lengths: raw, rabbit: api } : null;
      },
      60_000,
    );
    for (let b = 0; b <= 9; b++) expect(rabbit.byPriority[String(9 - b)]).toBe(lengths[String(b)] ?? 0);
    expect(rabbit.byPriority).toMatchObject({ '0': 2, '2': 3, '9': 1 });
  });

  it('browses Redis in pop order without changing the lists', async () => {
    const keys = [rq, `${rq}${SEP}3`, `${rq}${SEP}6`, `${rq}${SEP}9`];
    const before = await Promise.all(keys.map((k) => redis.dumpBuffer(k)));
    const page = await browse('redis', rq, '?limit=500');
    expect(page.status).toBe(200);
    const levels = page.body.messages.map((m) => m.priority);
    expect(levels).toEqual([...levels].sort((a, b) => a - b));
    expect(page.body.messages.length).toBe((await getQueue('redis', rq)).body.depth);
    expect(await Promise.all(keys.map((k) => redis.dumpBuffer(k)))).toEqual(before);
    const filtered = await browse('redis', rq, '?priority=9&limit=2');
    expect(filtered.body.messages).toHaveLength(2);
    expect(filtered.body.messages.every((m) => m.priority === 9 && m.brokerPriority === 9)).toBe(true);
    expect(filtered.body.nextCursor).not.toBeNull();
  });

  it('browses RabbitMQ in delivery order and says it requeued', async () => {
    const page = await browse('rabbitmq', rmq, '?limit=50');
    expect(page.status).toBe(200);
    expect(page.body.requeued).toBe(true);
    expect(page.body.messages.map((m) => m.priority)).toEqual([0, 0, 2, 2, 2, 9]);
    expect(page.body.messages.map((m) => m.brokerPriority)).toEqual([9, 9, 7, 7, 7, 0]);
  });

  it('rejects bad browse parameters and unknown queues', async () => {
    expect((await browse('redis', rq, '?limit=0')).status).toBe(400);
    expect((await browse('redis', rq, '?limit=501')).status).toBe(400);
    expect((await browse('redis', rq, '?priority=high')).status).toBe(400);
    expect((await browse('redis', rq, '?cursor=zzz')).status).toBe(400);
    expect((await browse('redis', uniqueName('missing'))).status).toBe(404);
    expect((await getQueue('redis', uniqueName('missing'))).status).toBe(404);
    expect((await getQueue('nope', rq)).status).toBe(404);
  });
});
