import { connect, type ChannelModel } from 'amqplib';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import type { AuditEntry } from '@/lib/state/audit';
import type { OperationRecord } from '@/lib/state/operations';
import type { Queue } from '@/lib/shared/types';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { publishOptions } from '@/lib/brokers/rabbitmq/publish';
import * as reprioritizeRoute from '@/app/api/v1/queues/[broker]/[queue]/reprioritize/route';
import * as moveRoute from '@/app/api/v1/queues/[broker]/[queue]/move/route';
import * as drainRoute from '@/app/api/v1/queues/[broker]/[queue]/drain/route';
import * as restoreRoute from '@/app/api/v1/queues/[broker]/[queue]/restore/route';
import * as purgeRoute from '@/app/api/v1/queues/[broker]/[queue]/purge/route';
import * as deleteRoute from '@/app/api/v1/queues/[broker]/[queue]/delete/route';
import * as pauseRoute from '@/app/api/v1/queues/[broker]/[queue]/pause/route';
import * as resumeRoute from '@/app/api/v1/queues/[broker]/[queue]/resume/route';
import * as retryQueueRoute from '@/app/api/v1/queues/[broker]/[queue]/retry/route';
import * as retryTaskRoute from '@/app/api/v1/tasks/[id]/retry/route';
import * as archiveRestoreRoute from '@/app/api/v1/archives/[archiveId]/restore/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as securityLogRoute from '@/app/api/v1/security-log/route';
import * as operationRoute from '@/app/api/v1/operations/[id]/route';
import * as operationEvents from '@/app/api/v1/operations/[id]/events/route';
import * as tasksRoute from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { TEST_ADMIN_TOKEN, call, useConfig } from './api-client';
import { declareRabbit, fillRabbit, fillRedis, readRabbit, readRedis, stepKeyOf } from './control/helpers';

/**
 * The control API end to end: real Requests into the route handlers, real brokers, raw
 * broker state checked after each call, and the audit log read back over the API.
 */

const rq = uniqueName('capi-r');
const rq2 = uniqueName('capi-r2');
const mq = uniqueName('capi-m');
const mqPlain = uniqueName('capi-mplain');
const prefix = `${uniqueName('capi-state')}:`;
let redis: Redis;
let amqp: ChannelModel;

type Handler = Parameters<typeof call>[0];
const post = <T>(handler: Handler, url: string, params: Record<string, string>, body?: unknown) => call<T>(handler, 'POST', url, params, body);
const q = (broker: string, queue: string, action: string) => `/api/v1/queues/${broker}/${encodeURIComponent(queue)}/${action}`;
const act = <T>(handler: Handler, broker: string, queue: string, action: string, body?: unknown) => post<T>(handler, q(broker, queue, action), { broker, queue }, body);

beforeAll(async () => {
  useConfig({
    statePrefix: prefix,
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: rq }, { name: rq2 }] },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: mq, maxPriority: 10 }] },
    ],
  });
  redis = rawRedis();
  amqp = await connect(AMQP_URL, { noDelay: true });
  await declareRabbit(amqp, mqPlain, {});
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, rq, rq2, prefix);
  const ch = await amqp.createChannel();
  for (const name of [mq, `${mq}.drained`, `${mq}.dead`, mqPlain, `${mq}.triage-hold`]) await ch.deleteQueue(name);
  await ch.close();
  await amqp.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

async function audit(limit = 100): Promise<AuditEntry[]> {
  const res = await call<{ entries: AuditEntry[]; nextCursor: string | null }>(auditRoute.GET, 'GET', `/api/v1/audit?limit=${limit}`);
  expect(res.status).toBe(200);
  return res.body.entries;
}

async function snapshotRedis(queue: string): Promise<string[]> {
  return (await readRedis(redis, queue)).map((e) => e.raw);
}

describe('control API', () => {
  it('moves 10,000 messages Redis → RabbitMQ and back: the multiset of ids is unchanged, each task keeps its priority', async () => {
    const a = await post<{ ids: string[] }>(tasksRoute.POST, q('redis', rq, 'tasks'), { broker: 'redis', queue: rq }, { task: 'myapp.tasks.send_otp', priority: 1, count: 5000 });
    const b = await post<{ ids: string[] }>(tasksRoute.POST, q('redis', rq, 'tasks'), { broker: 'redis', queue: rq }, { task: 'myapp.tasks.send_email', priority: 7, count: 5000 });
    expect(a.status).toBe(201);
    const ids = [...a.body.ids, ...b.body.ids];

    const preview = await act<{ matched: number; moved: number }>(moveRoute.POST, 'redis', rq, 'move', { to: { broker: 'rabbitmq', queue: mq }, dryRun: true });
    expect(preview).toMatchObject({ status: 200, body: { matched: 10_000, moved: 0 } });

    const there = await act<{ matched: number; moved: number; operationId: string }>(moveRoute.POST, 'redis', rq, 'move', {
      to: { broker: 'rabbitmq', queue: mq },
      operationId: 'move-there-op-1',
    });
    expect(there).toMatchObject({ status: 200, body: { matched: 10_000, moved: 10_000 } });
    expect(await readRedis(redis, rq)).toHaveLength(0);
    const inRabbit = await readRabbit(amqp, mq);
    expect(inRabbit.map((m) => m.id).sort()).toEqual([...ids].sort());
    // Each task keeps its own priority, not its Redis step's (step 0 holds 0-2): 1 → wire 8, 7 → wire 2; FIFO inside.
    expect(inRabbit.map((m) => m.id)).toEqual(ids);
    expect(new Set(inRabbit.slice(0, 5000).map((m) => [m.priority, m.headers.triage_priority].join()))).toEqual(new Set(['8,1']));
    expect(new Set(inRabbit.slice(5000).map((m) => [m.priority, m.headers.triage_priority].join()))).toEqual(new Set(['2,7']));

    const op = await call<OperationRecord>(operationRoute.GET, 'GET', '/api/v1/operations/move-there-op-1', { id: 'move-there-op-1' });
    // The same record as a server-sent events stream: ends with `done` at once for a finished operation.
    const events = await operationEvents.GET(new Request('http://localhost/api/v1/operations/move-there-op-1/events', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } }), {
      params: Promise.resolve({ id: 'move-there-op-1' }),
    });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    const text = await events.text();
    expect(text).toContain('event: done');
    expect(JSON.parse(text.split('data: ')[1]!.trim())).toMatchObject({ status: 'succeeded', result: { moved: 10_000 } });
    expect(op.body).toMatchObject({ status: 'succeeded', result: { moved: 10_000 }, progress: { moved: 10_000 } });

    const back = await act<{ matched: number; moved: number }>(moveRoute.POST, 'rabbitmq', mq, 'move', { to: { broker: 'redis', queue: rq } });
    expect(back).toMatchObject({ status: 200, body: { matched: 10_000, moved: 10_000 } });
    const home = await readRedis(redis, rq);
    expect(home.map((e) => e.id)).toEqual(ids);
    expect(home.slice(0, 5000).every((e) => e.step === 0 && e.priority === 1)).toBe(true);
    expect(home.slice(5000).every((e) => e.step === 6 && e.priority === 7 && e.routingKey === rq)).toBe(true);
    expect(await readRabbit(amqp, mq)).toHaveLength(0);
    await redis.del(...[0, 3, 6, 9].map((s) => stepKeyOf(rq, s)));
  });

  it('reprioritizes by match and by ids, drains and restores', async () => {
    const ids = await fillRedis(redis, rq, [9, 9, 6, 0], 'a.task');
    const r = await act<{ matched: number; moved: number }>(reprioritizeRoute.POST, 'redis', rq, 'reprioritize', { priority: 0, match: { priorities: [9] } });
    expect(r.body).toEqual({ matched: 2, moved: 2, operationId: expect.any(String) });
    const byId = await act(reprioritizeRoute.POST, 'redis', rq, 'reprioritize', { priority: 9, ids: [ids[2]] });
    expect(byId.body).toMatchObject({ matched: 1, moved: 1 });
    expect((await readRedis(redis, rq)).map((e) => [e.id, e.step])).toEqual([
      [ids[3], 0],
      [ids[0], 0],
      [ids[1], 0],
      [ids[2], 9],
    ]);
    const drained = await act<{ moved: number; to: unknown }>(drainRoute.POST, 'redis', rq, 'drain');
    expect(drained.body).toMatchObject({ moved: 4, to: { broker: 'redis', queue: `${rq}.drained` } });
    expect(await readRedis(redis, rq)).toHaveLength(0);
    const restored = await act(restoreRoute.POST, 'redis', rq, 'restore');
    expect(restored.body).toMatchObject({ moved: 4 });
    expect((await readRedis(redis, rq)).map((e) => e.id)).toEqual([ids[3], ids[0], ids[1], ids[2]]);
    await redis.del(...[0, 3, 6, 9].map((s) => stepKeyOf(rq, s)));
  });

  it('purge → restore by archiveId brings back exactly the purged messages (Redis bytes, RabbitMQ order)', async () => {
    await fillRedis(redis, rq2, Array.from({ length: 1200 }, (_, i) => i % 10));
    const before = await snapshotRedis(rq2);
    const purged = await act<{ deleted: number; archiveId: string }>(purgeRoute.POST, 'redis', rq2, 'purge', { confirm: rq2 });
    expect(purged.body).toMatchObject({ deleted: 1200 });
    expect(await snapshotRedis(rq2)).toEqual([]);
    const restored = await post<{ restored: number; to: unknown }>(archiveRestoreRoute.POST, `/api/v1/archives/${purged.body.archiveId}/restore`, {
      archiveId: purged.body.archiveId,
    });
    expect(restored.body).toMatchObject({ restored: 1200, to: { broker: 'redis', queue: rq2 } });
    expect(await snapshotRedis(rq2)).toEqual(before);
    // Restored once: the archive is gone.
    const again = await post(archiveRestoreRoute.POST, `/api/v1/archives/${purged.body.archiveId}/restore`, { archiveId: purged.body.archiveId });
    expect(again.status).toBe(404);

    const ids = await fillRabbit(amqp, mq, [5, 0, 9, 0]);
    const p2 = await act<{ deleted: number; archiveId: string }>(purgeRoute.POST, 'rabbitmq', mq, 'purge', { confirm: mq, match: { priorities: [0] } });
    expect(p2.body).toMatchObject({ deleted: 2 });
    expect((await readRabbit(amqp, mq)).map((m) => m.id)).toEqual([ids[0], ids[2]]);
    const r2 = await post(archiveRestoreRoute.POST, `/api/v1/archives/${p2.body.archiveId}/restore`, { archiveId: p2.body.archiveId });
    expect(r2.body).toMatchObject({ restored: 2, to: { broker: 'rabbitmq', queue: mq } });
    expect((await readRabbit(amqp, mq)).map((m) => [m.id, m.priority])).toEqual([
      [ids[1], 9],
      [ids[3], 9],
      [ids[0], 4],
      [ids[2], 0],
    ]);
    await act(deleteRoute.POST, 'rabbitmq', mq, 'delete', { ids });
    expect(await readRabbit(amqp, mq)).toHaveLength(0);
  });

  it('refuses bad input with a 4xx and the error shape, changing nothing', async () => {
    await fillRedis(redis, rq2, [0, 5]);
    await fillRabbit(amqp, mq, [3]);
    const before = await snapshotRedis(rq2);
    const missing = uniqueName('nope');
    // One at a time: each must fail on its own input, not on another request holding the queue.
    const cases: [string, () => Promise<{ status: number; body: unknown }>, number][] = [
      ['unknown ids', () => act(reprioritizeRoute.POST, 'redis', rq2, 'reprioritize', { priority: 0, ids: ['no-such-id'] }), 404],
      ['empty match', () => act(reprioritizeRoute.POST, 'redis', rq2, 'reprioritize', { priority: 0, match: {} }), 400],
      ['empty ids', () => act(moveRoute.POST, 'redis', rq2, 'move', { to: { broker: 'redis', queue: rq }, ids: [] }), 400],
      ['priority out of range', () => act(reprioritizeRoute.POST, 'redis', rq2, 'reprioritize', { priority: 10 }), 400],
      ['negative priority', () => act(moveRoute.POST, 'redis', rq2, 'move', { to: { broker: 'redis', queue: rq }, priority: -1 }), 400],
      ['onto itself', () => act(moveRoute.POST, 'redis', rq2, 'move', { to: { broker: 'redis', queue: rq2 } }), 409],
      ['purge without confirmation', () => act(purgeRoute.POST, 'redis', rq2, 'purge', {}), 400],
      ['purge with the wrong name', () => act(purgeRoute.POST, 'redis', rq2, 'purge', { confirm: `${rq2}x` }), 400],
      ['incompatible target', () => act(moveRoute.POST, 'redis', rq2, 'move', { to: { broker: 'rabbitmq', queue: mqPlain } }), 422],
      ['incompatible drain target', () => act(drainRoute.POST, 'rabbitmq', mq, 'drain', { to: { broker: 'rabbitmq', queue: mqPlain } }), 422],
      ['unknown target queue', () => act(moveRoute.POST, 'redis', rq2, 'move', { to: { broker: 'rabbitmq', queue: uniqueName('nope') } }), 404],
      ['unknown broker', () => act(moveRoute.POST, 'redis', rq2, 'move', { to: { broker: 'nope', queue: rq } }), 404],
      ['unknown source queue', () => act(drainRoute.POST, 'redis', missing, 'drain'), 404],
      ['delete without a selection', () => act(deleteRoute.POST, 'redis', rq2, 'delete', {}), 400],
      ['unknown field', () => act(reprioritizeRoute.POST, 'redis', rq2, 'reprioritize', { priority: 1, everything: true }), 400],
    ];
    for (const [what, send, status] of cases) {
      const res = await send();
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    // Another operation holds the queue (any replica): 409, nothing changed.
    await redis.set(`${prefix}oplock:redis/${rq2}`, 'other-op', 'PX', 10_000);
    const busy = await act(reprioritizeRoute.POST, 'redis', rq2, 'reprioritize', { priority: 9 });
    expect(busy).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    await redis.del(`${prefix}oplock:redis/${rq2}`);
    expect(await snapshotRedis(rq2)).toEqual(before);
    // Not even the parking queue of the unknown source was declared.
    expect(await redis.keys(`*${missing}*`)).toEqual([]);
    expect(await readRabbit(amqp, mq)).toHaveLength(1);
    expect(await readRabbit(amqp, mqPlain)).toHaveLength(0);
    await act(purgeRoute.POST, 'rabbitmq', mq, 'purge', { confirm: mq });
    await redis.del(...[0, 3, 6, 9].map((s) => stepKeyOf(rq2, s)));
  });

  it('pauses and resumes: the Queue says so and the pause store holds it', async () => {
    const paused = await act<Queue>(pauseRoute.POST, 'redis', rq, 'pause');
    expect(paused).toMatchObject({ status: 200, body: { name: rq, paused: true } });
    expect(await redis.hexists(`${prefix}paused`, `redis/${rq}`)).toBe(1);
    const resumed = await act<Queue>(resumeRoute.POST, 'rabbitmq', mq, 'resume');
    expect(resumed).toMatchObject({ status: 200, body: { name: mq, paused: false } });
    const r = await act<Queue>(resumeRoute.POST, 'redis', rq, 'resume');
    expect(r.body.paused).toBe(false);
    expect(await redis.hexists(`${prefix}paused`, `redis/${rq}`)).toBe(0);
  });

  it('retries dead letters: one by task id, and in bulk; headers stripped, retries reset, original priority', async () => {
    const dead = (id: string, priority: number, queue: string) =>
      buildTaskMessage({ id, task: 'myapp.tasks.flaky', retries: 3, extraHeaders: {
        triage_dead_reason: 'max-retries', triage_error: 'boom', triage_traceback: 'tb', triage_dead_at: new Date().toISOString(),
        triage_original_queue: queue, triage_original_priority: priority, triage_retries: 3,
      } }, priority);
    const redisDead = dead('dead-redis-1', 7, rq);
    await redis.lpush(`${rq}.dead`, toRedisPayload(redisDead, { routingKey: `${rq}.dead` }));
    await redis.sadd(`_kombu.binding.${rq}.dead`, `${rq}.dead\x06\x16\x06\x16${rq}.dead`);
    // Queue discovery is cached for a few seconds: the fresh dead-letter queue shows up shortly.
    const one = await waitFor('the dead task is found', async () => {
      const res = await post<{ id: string }>(retryTaskRoute.POST, '/api/v1/tasks/dead-redis-1/retry', { id: 'dead-redis-1' }, {});
      return res.status === 404 ? null : res;
    });
    expect(one).toMatchObject({ status: 200, body: { id: 'dead-redis-1' } });
    const [entry] = await readRedis(redis, rq);
    expect(entry).toMatchObject({ id: 'dead-redis-1', step: 6, priority: 7, routingKey: rq });
    const headers = (JSON.parse(entry!.raw) as { headers: Record<string, unknown> }).headers;
    expect(headers.retries).toBe(0);
    expect(Object.keys(headers).filter((k) => k.startsWith('triage_') && k !== 'triage_enqueued_at')).toEqual([]);
    expect(await redis.llen(`${rq}.dead`)).toBe(0);
    expect((await post(retryTaskRoute.POST, '/api/v1/tasks/dead-redis-1/retry', { id: 'dead-redis-1' })).status).toBe(404);

    await declareRabbit(amqp, `${mq}.dead`);
    const ch = await amqp.createConfirmChannel();
    for (const [id, p] of [['dead-m-1', 2], ['dead-m-2', 8]] as const) {
      const m = dead(id, p, mq);
      ch.publish('', `${mq}.dead`, Buffer.from(m.body), publishOptions(m, new Date()));
    }
    await ch.waitForConfirms();
    await ch.close();
    const bulk = await act<{ matched: number; retried: number }>(retryQueueRoute.POST, 'rabbitmq', `${mq}.dead`, 'retry', { priority: 0 });
    expect(bulk.body).toMatchObject({ matched: 2, retried: 2 });
    const back = await readRabbit(amqp, mq);
    expect(back.map((m) => [m.id, m.priority, m.headers.retries, m.headers.triage_error])).toEqual([
      // Read from the dead-letter queue in its delivery order (wire 8 before wire 2).
      ['dead-m-2', 9, 0, undefined],
      ['dead-m-1', 9, 0, undefined],
    ]);
    await act(purgeRoute.POST, 'rabbitmq', mq, 'purge', { confirm: mq });
    await redis.del(...[0, 3, 6, 9].map((s) => stepKeyOf(rq, s)));
  });

  it('retries by id from a dead-letter queue newer than the cached queue listing, found through the task record', async () => {
    const id = uniqueName('dead-fresh');
    // Caches the queue listing (discovery is kept a few seconds) before the dead-letter queue exists.
    expect((await post(retryTaskRoute.POST, `/api/v1/tasks/${id}/retry`, { id }, {})).status).toBe(404);
    const message = buildTaskMessage({ id, task: 'myapp.tasks.flaky', extraHeaders: { triage_original_queue: rq2, triage_original_priority: 4 } }, 4);
    await redis.lpush(`${rq2}.dead`, toRedisPayload(message, { routingKey: `${rq2}.dead` }));
    await redis.sadd(`_kombu.binding.${rq2}.dead`, `${rq2}.dead\x06\x16\x06\x16${rq2}.dead`);
    const at = new Date().toISOString();
    await redis.set(`${prefix}task:${id}`, JSON.stringify({ id, task: 'myapp.tasks.flaky', broker: 'redis', queue: rq2, priority: 3, state: 'dead', history: [{ state: 'dead', at }], updatedAt: at }));
    const res = await post<{ id: string; queue: string }>(retryTaskRoute.POST, `/api/v1/tasks/${id}/retry`, { id }, { priority: 1 });
    expect(res).toMatchObject({ status: 200, body: { id, queue: `${rq2}.dead` } });
    expect((await readRedis(redis, rq2)).map((e) => [e.id, e.priority])).toEqual([[id, 1]]);
    expect(await redis.llen(`${rq2}.dead`)).toBe(0);
    await redis.del(...[0, 3, 6, 9].map((s) => stepKeyOf(rq2, s)), `_kombu.binding.${rq2}.dead`);
  });

  it('records every operation in the audit log with its counts, newest first, paged', async () => {
    const entries = await audit(200);
    const actions = entries.map((e) => e.action);
    for (const action of ['move', 'reprioritize', 'drain', 'restore', 'purge', 'archive.restore', 'delete', 'pause', 'resume', 'retry']) {
      expect(actions).toContain(action);
    }
    // Previews change nothing and are not audited.
    expect(actions.filter((a) => a.endsWith('.preview'))).toEqual([]);
    const move = entries.find((e) => e.action === 'move' && e.target.broker === 'redis' && e.target.queue === rq);
    expect(move).toMatchObject({ actor: expect.any(String), role: expect.any(String), params: { to: { broker: 'rabbitmq', queue: mq }, all: true }, result: { matched: 10_000, moved: 10_000 } });
    expect(entries.find((e) => e.action === 'purge' && e.target.queue === rq2 && 'deleted' in e.result)?.result).toMatchObject({ deleted: 1200 });
    // Failures go to the security log (capped apart), never the audit log.
    expect(entries.filter((e) => 'error' in e.result)).toEqual([]);
    const security = await call<{ entries: AuditEntry[] }>(securityLogRoute.GET, 'GET', '/api/v1/security-log?limit=200&kind=failed&action=move');
    expect(security.body.entries.find((e) => (e.result as { error?: { code: string } }).error?.code === 'CONFLICT')).toMatchObject({ kind: 'failed', target: { broker: 'redis' } });
    // Newest first, and cursors page through without overlap.
    const page1 = await call<{ entries: AuditEntry[]; nextCursor: string | null }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=3');
    const page2 = await call<{ entries: AuditEntry[]; nextCursor: string | null }>(auditRoute.GET, 'GET', `/api/v1/audit?limit=3&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.entries, ...page2.body.entries].map((e) => e.id)).toEqual(entries.slice(0, 6).map((e) => e.id));
    expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(Date.parse(entries.at(-1)!.at));
  });
});
