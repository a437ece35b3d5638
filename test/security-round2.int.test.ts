import { connect, type ChannelModel } from 'amqplib';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/lib/config';
import { authStore } from '@/lib/server/auth';
import { resetRuntime } from '@/lib/server/runtime';
import { createUser } from '@/lib/server/users';
import type { OperationRecord } from '@/lib/state/operations';
import * as loginRoute from '@/app/api/v1/auth/login/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as drainRoute from '@/app/api/v1/queues/[broker]/[queue]/drain/route';
import * as restoreRoute from '@/app/api/v1/queues/[broker]/[queue]/restore/route';
import * as retryQueueRoute from '@/app/api/v1/queues/[broker]/[queue]/retry/route';
import * as retryTaskRoute from '@/app/api/v1/tasks/[id]/retry/route';
import * as moveRoute from '@/app/api/v1/queues/[broker]/[queue]/move/route';
import * as reprioritizeRoute from '@/app/api/v1/queues/[broker]/[queue]/reprioritize/route';
import * as purgeRoute from '@/app/api/v1/queues/[broker]/[queue]/purge/route';
import * as messagesRoute from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import * as tasksRoute from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import * as operationRoute from '@/app/api/v1/operations/[id]/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { TEST_ADMIN_TOKEN, call, useConfig } from './api-client';
import { declareRabbit, fillRabbit, fillRedis, readRabbit, readRedis } from './control/helpers';
import { endlessBody } from './routes-table';

/**
 * Issue #17, items 9-14: operators writing where they must not, and odd input that used to
 * crash a request, grow the server or break another user's operation. Real brokers, route
 * handlers called with real Requests, raw broker state checked after each refusal.
 */

const prefix = `${uniqueName('sec2-state')}:`;
// kombu's internal names are tried on a broker with a key prefix of its own, so even the
// code before the fix (which accepted them) could only touch keys under that prefix.
const kombuPrefix = `${uniqueName('sec2-kombu')}:`;
const rq = uniqueName('sec2-r');
const mq = uniqueName('sec2-m');
const quorum = uniqueName('sec2-quorum');
const stream = uniqueName('sec2-stream');
let redis: Redis;
let amqp: ChannelModel;

type Handler = Parameters<typeof call>[0];
const path = (broker: string, queue: string, action: string) => `/api/v1/queues/${broker}/${encodeURIComponent(queue)}/${action}`;
const act = <T>(handler: Handler, broker: string, queue: string, action: string, body?: unknown) =>
  call<T>(handler, 'POST', path(broker, queue, action), { broker, queue }, body);
interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

beforeAll(async () => {
  useConfig({
    statePrefix: prefix,
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: rq }, { name: `${rq}-big` }] },
      { id: 'kombu', kind: 'redis', url: REDIS_URL, globalKeyprefix: kombuPrefix, queues: [{ name: 'celery' }] },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: mq, maxPriority: 10 }] },
    ],
  });
  redis = rawRedis();
  amqp = await connect(AMQP_URL, { noDelay: true });
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, rq, prefix, kombuPrefix);
  const ch = await amqp.createChannel();
  for (const name of [mq, `${mq}.drained`, `${mq}-busy`, `${mq}-busy.drained`, quorum, stream]) await ch.deleteQueue(name);
  await ch.close();
  await amqp.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('item 9: drains and moves into Triage state or kombu bookkeeping', () => {
  it('refuses state-prefixed and kombu-internal names as target and as source, changing nothing', async () => {
    const ids = await fillRedis(redis, rq, [0, 5, 9]);
    const before = (await readRedis(redis, rq)).map((e) => e.raw);
    const stateTargets = [`${prefix}throttle:login:user:alice`, `${prefix}oplock:redis/${rq}`, `${prefix}anything`];
    for (const queue of stateTargets) {
      for (const [handler, action, body] of [
        [drainRoute.POST, 'drain', { to: { broker: 'redis', queue } }],
        [moveRoute.POST, 'move', { to: { broker: 'redis', queue }, ids: [ids[0]] }],
      ] as const) {
        const res = await act<ErrorBody>(handler, 'redis', rq, action, body);
        expect({ queue, action, status: res.status }).toEqual({ queue, action, status: 422 });
        expect(res.body.error.message).toContain('state');
      }
      expect(await redis.exists(queue)).toBe(0);
    }
    // Under the state prefix as a source too (here: a restore from it).
    const restore = await act<ErrorBody>(restoreRoute.POST, 'redis', rq, 'restore', { from: { broker: 'redis', queue: stateTargets[0] } });
    expect(restore.status).toBe(422);
    expect((await readRedis(redis, rq)).map((e) => e.raw)).toEqual(before);

    const kombuNames = ['_kombu.binding.celery', 'unacked', 'unacked_index', 'unacked_mutex'];
    await fillRedis(redis, `${kombuPrefix}celery`, [1, 2]);
    for (const queue of kombuNames) {
      const drained = await act<ErrorBody>(drainRoute.POST, 'kombu', 'celery', 'drain', { to: { broker: 'kombu', queue } });
      expect({ queue, status: drained.status }).toEqual({ queue, status: 422 });
      expect(drained.body.error.message).toContain('kombu');
      const moved = await act<ErrorBody>(moveRoute.POST, 'kombu', 'celery', 'move', { to: { broker: 'kombu', queue } });
      expect({ queue, status: moved.status }).toEqual({ queue, status: 422 });
      // And as the source of every kind of operation.
      for (const [handler, action, body] of [
        [drainRoute.POST, 'drain', undefined],
        [reprioritizeRoute.POST, 'reprioritize', { priority: 0 }],
        [purgeRoute.POST, 'purge', { confirm: queue }],
        [moveRoute.POST, 'move', { to: { broker: 'kombu', queue: 'celery' } }],
      ] as const) {
        const res = await act<ErrorBody>(handler, 'kombu', queue, action, body);
        expect({ queue, action, status: res.status }).toEqual({ queue, action, status: 422 });
      }
      const enqueued = await act<ErrorBody>(tasksRoute.POST, 'kombu', queue, 'tasks', { task: 'a.task' });
      expect({ queue, status: enqueued.status }).toEqual({ queue, status: 422 });
      expect(await redis.type(`${kombuPrefix}${queue}`)).toBe('none');
    }
    expect(await redis.llen(`${kombuPrefix}celery`)).toBe(2);
  });

  it('a lock key of the wrong type is reported (503 naming it), not answered 409 forever', async () => {
    const queue = `${rq}-lock`;
    await fillRedis(redis, queue, [1]);
    const lockKey = `${prefix}oplock:redis/${queue}`;
    await redis.rpush(lockKey, 'junk');
    // A configured queue is not needed: discovery finds it.
    const res = await act<ErrorBody>(drainRoute.POST, 'redis', queue, 'drain');
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain(lockKey);
    await redis.del(lockKey);
    const again = await act<{ moved: number }>(drainRoute.POST, 'redis', queue, 'drain');
    expect(again).toMatchObject({ status: 200, body: { moved: 1 } });
  });

  it('an error inside the login throttle MULTI fails the login instead of lifting the limit', async () => {
    const store = await authStore();
    await createUser(store, { name: 'multi-victim', role: 'viewer', password: 'a long password 1' });
    // What a drain into the throttle key used to leave behind: a list where a counter belongs.
    await redis.rpush(`${prefix}throttle:login:user:multi-victim`, 'x');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await call<ErrorBody>(loginRoute.POST, 'POST', '/api/v1/auth/login', {}, { username: 'multi-victim', password: `guess-${i}` }, {
        authorization: '',
        origin: 'http://localhost',
      });
      statuses.push(res.status);
    }
    // Never a 401: that would mean the password was checked with the counter read as 0.
    expect(statuses).toEqual(Array(7).fill(503));
  });
});

describe('item 10: bytes one enqueue may add', () => {
  it('10,000 copies of a 2 KB argument (a 2 KiB request) are refused with 413 and the limit; nothing is enqueued', async () => {
    const queue = `${rq}-big`;
    const res = await act<ErrorBody>(tasksRoute.POST, 'redis', queue, 'tasks', { task: 'a.task', args: ['x'.repeat(2000)], count: 10_000 });
    expect(res.status).toBe(413);
    expect(res.body.error.details).toMatchObject({ limit: 16 * 1024 * 1024, count: 10_000 });
    expect(res.body.error.message).toContain(String(16 * 1024 * 1024));
    expect(await redis.keys(`${queue}*`)).toEqual([]);
    // Under the limit still works.
    const ok = await act<{ ids: string[] }>(tasksRoute.POST, 'redis', queue, 'tasks', { task: 'a.task', args: ['x'.repeat(2000)], count: 100 });
    expect(ok.status).toBe(201);
    expect(ok.body.ids).toHaveLength(100);
    await deleteKeysLike(redis, queue);
  });

  it('the cap is configurable (TRIAGE_ENQUEUE_MAX_BYTES)', () => {
    expect(loadConfig({ NODE_ENV: 'test', TRIAGE_ENQUEUE_MAX_BYTES: '4096' }).enqueueMaxBytes).toBe(4096);
    expect(loadConfig({ NODE_ENV: 'test' }).enqueueMaxBytes).toBe(16 * 1024 * 1024);
  });
});

describe('item 11: streamed bodies over the limit', () => {
  const routes: [string, Handler, string, Record<string, string>][] = [
    ['drain', drainRoute.POST, path('redis', rq, 'drain'), { broker: 'redis', queue: rq }],
    ['restore', restoreRoute.POST, path('redis', rq, 'restore'), { broker: 'redis', queue: rq }],
    ['queue retry', retryQueueRoute.POST, path('redis', `${rq}.dead`, 'retry'), { broker: 'redis', queue: `${rq}.dead` }],
    ['task retry', retryTaskRoute.POST, '/api/v1/tasks/some-task-id/retry', { id: 'some-task-id' }],
  ];

  for (const [name, handler, url, params] of routes) {
    it(`${name}: a 40 MiB chunked body is refused with 413 after reading about 1 MiB`, async () => {
      const { stream, counter } = endlessBody(40 * 1024 * 1024);
      const request = new Request(`http://localhost${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        body: stream,
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
      const response = await handler(request, { params: Promise.resolve(params) });
      expect(response.status).toBe(413);
      expect(((await response.json()) as ErrorBody).error.code).toBe('TOO_LARGE');
      expect(counter.pulled).toBeLessThan(2 * 1024 * 1024);
    });
  }

  it('an empty body still means {} on those routes', async () => {
    const direct = await call<ErrorBody>(retryTaskRoute.POST, 'POST', '/api/v1/tasks/no-such-task/retry', { id: 'no-such-task' });
    expect(direct.status).toBe(404);
  });
});

describe('item 12: client-chosen operation ids', () => {
  it('an id already used is refused with 409 and the first record is kept', async () => {
    const queue = `${rq}-op`;
    await fillRedis(redis, queue, [1, 2]);
    const opId = `shared-op-${Date.now()}`;
    const first = await act(moveRoute.POST, 'redis', queue, 'move', { to: { broker: 'redis', queue: rq }, dryRun: true, operationId: opId });
    expect(first.status).toBe(200);
    const second = await act<ErrorBody>(drainRoute.POST, 'redis', queue, 'drain', { operationId: opId });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(opId);
    const record = await call<OperationRecord>(operationRoute.GET, 'GET', `/api/v1/operations/${opId}`, { id: opId });
    expect(record.body).toMatchObject({ action: 'move.preview', status: 'succeeded' });
    // The refused drain changed nothing.
    expect(await readRedis(redis, queue)).toHaveLength(2);
    await deleteKeysLike(redis, queue);
  });
});

describe('item 14: bad input answers 4xx with the error shape', () => {
  const expectError = (res: { status: number; body: unknown }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  };

  it('args nested 5,000 deep', async () => {
    // As text: JSON.stringify itself overflows the stack on such a value.
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await act(tasksRoute.POST, 'redis', rq, 'tasks', `{"task": "a.task", "args": [${deep}]}`);
    expectError(res, 400);
    const kw = await act(tasksRoute.POST, 'redis', rq, 'tasks', `{"task": "a.task", "kwargs": {"a": ${deep}}}`);
    expectError(kw, 400);
  });

  it('a RabbitMQ queue name of 255 "é" (510 bytes): messages, enqueue, drain target', async () => {
    const name = 'é'.repeat(255);
    expectError(await call(messagesRoute.GET, 'GET', `${path('rabbitmq', name, 'messages')}`, { broker: 'rabbitmq', queue: name }), 400);
    expectError(await act(tasksRoute.POST, 'rabbitmq', name, 'tasks', { task: 'a.task' }), 400);
    expectError(await act(drainRoute.POST, 'rabbitmq', mq, 'drain', { to: { broker: 'rabbitmq', queue: name } }), 400);
  });

  it('audit cursor 99999999999999999999-0 and a browse cursor at offset 1e300', async () => {
    expectError(await call(auditRoute.GET, 'GET', '/api/v1/audit?cursor=99999999999999999999-0'), 400);
    const queue = `${rq}-cursor`;
    const cursor = Buffer.from('{"v":1,"l":0,"o":1e300}').toString('base64url');
    await fillRedis(redis, queue, [3]);
    expectError(await call(messagesRoute.GET, 'GET', `${path('redis', queue, 'messages')}?cursor=${cursor}`, { broker: 'redis', queue }), 400);
    await deleteKeysLike(redis, queue);
  });

  it('a drain to amq.* is refused (422), not a 503', async () => {
    const res = await act<ErrorBody>(drainRoute.POST, 'rabbitmq', mq, 'drain', { to: { broker: 'rabbitmq', queue: 'amq.triage-probe' } });
    expectError(res, 422);
    expect(res.body.error.message).toContain('amq.');
  });

  it('task and queue names with control characters', async () => {
    const queue = `${rq}-names`;
    await fillRedis(redis, queue, [3]);
    expectError(await act(tasksRoute.POST, 'redis', queue, 'tasks', { task: 'a.task\u0000evil' }), 400);
    expectError(await act(tasksRoute.POST, 'redis', queue, 'tasks', { task: 'a.\u001btask' }), 400);
    expectError(await act(moveRoute.POST, 'redis', queue, 'move', { to: { broker: 'redis', queue: `${queue}\u0000y` } }), 400);
    expectError(await act(reprioritizeRoute.POST, 'redis', queue, 'reprioritize', { priority: 1, match: { task: 'a\u0000' } }), 400);
    expect((await readRedis(redis, queue)).map((e) => e.step)).toEqual([3]);
    expect(await redis.keys(`${queue}\u0000*`)).toEqual([]);
    await deleteKeysLike(redis, queue);
  });
});

describe('item 13: RabbitMQ queue types', () => {
  it('browsing a stream during a drain of another queue: the browse is a 422, the drain completes with exact counts', async () => {
    const source = `${mq}-busy`;
    await declareRabbit(amqp, stream, { 'x-queue-type': 'stream' });
    await declareRabbit(amqp, quorum, { 'x-queue-type': 'quorum' });
    await declareRabbit(amqp, source);
    const total = 20_000;
    const ids = await fillRabbit(amqp, source, Array.from({ length: total }, (_, i) => i % 10));
    await fillRabbit(amqp, stream, [5]);
    await fillRabbit(amqp, quorum, [1, 2, 3]);
    // The management API knows a new queue's type a moment after it is declared.
    const management = new URL(MANAGEMENT_URL);
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(management.username)}:${decodeURIComponent(management.password)}`).toString('base64')}`;
    await waitFor('the queues in the management API', async () => {
      const listed = await Promise.all(
        [quorum, stream, source].map((name) => fetch(`${management.origin}/api/queues/%2F/${name}`, { headers: { authorization: auth } })),
      );
      return listed.every((r) => r.ok);
    });

    const opId = `busy-drain-${Date.now()}`;
    const drain = act<{ moved: number }>(drainRoute.POST, 'rabbitmq', source, 'drain', { operationId: opId });
    await waitFor('the drain under way', async () => {
      const op = await call<OperationRecord>(operationRoute.GET, 'GET', `/api/v1/operations/${opId}`, { id: opId });
      return op.status === 200 && op.body.progress.moved > 0;
    });
    // A viewer browses the stream three times, and the quorum queue once, while it runs.
    const browses = [];
    for (let i = 0; i < 3; i++) {
      browses.push(await call<ErrorBody>(messagesRoute.GET, 'GET', path('rabbitmq', stream, 'messages'), { broker: 'rabbitmq', queue: stream }));
    }
    const quorumPage = await call<{ messages: { priority: number }[] }>(messagesRoute.GET, 'GET', path('rabbitmq', quorum, 'messages'), { broker: 'rabbitmq', queue: quorum });
    const done = await drain;
    expect(done).toMatchObject({ status: 200, body: { moved: total } });
    for (const browse of browses) {
      expect(browse.status).toBe(422);
      expect(browse.body.error.message).toContain('stream');
    }
    expect(quorumPage.status).toBe(200);
    expect(quorumPage.body.messages).toHaveLength(3);
    expect(await readRabbit(amqp, source)).toHaveLength(0);
    const drained = await readRabbit(amqp, `${source}.drained`);
    expect(drained.map((m) => m.id).sort()).toEqual([...ids].sort());
    await Promise.all([source, `${source}.drained`].map(async (name) => {
      const ch = await amqp.createChannel();
      await ch.deleteQueue(name);
      await ch.close();
    }));
  }, 120_000);

  it('operations on a stream are refused with 422 before anything is read', async () => {
    await declareRabbit(amqp, stream, { 'x-queue-type': 'stream' });
    const res = await act<ErrorBody>(drainRoute.POST, 'rabbitmq', stream, 'drain', { to: { broker: 'rabbitmq', queue: mq } });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('stream');
  });
});
