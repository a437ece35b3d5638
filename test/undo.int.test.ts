import { connect, type ChannelModel } from 'amqplib';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBroker, resetRuntime, runtime } from '@/lib/server/runtime';
import { authStore } from '@/lib/server/auth';
import { createToken } from '@/lib/server/tokens';
import type { AuditEntry } from '@/lib/state/audit';
import { rabbitTaskPriority, TASK_PRIORITY_HEADER } from '@/lib/shared/priority';
import * as reprioritizeRoute from '@/app/api/v1/queues/[broker]/[queue]/reprioritize/route';
import * as moveRoute from '@/app/api/v1/queues/[broker]/[queue]/move/route';
import * as purgeRoute from '@/app/api/v1/queues/[broker]/[queue]/purge/route';
import * as deleteRoute from '@/app/api/v1/queues/[broker]/[queue]/delete/route';
import * as drainRoute from '@/app/api/v1/queues/[broker]/[queue]/drain/route';
import * as pauseRoute from '@/app/api/v1/queues/[broker]/[queue]/pause/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as undoRoute from '@/app/api/v1/audit/[id]/undo/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';
import { declareRabbit, deleteRabbit, rabbitCount, readRabbit } from './control/helpers';

/**
 * POST /api/v1/audit/{id}/undo end to end: real Redis and RabbitMQ in several layouts,
 * actions through their routes, the audit entry's undo, and each message's own priority
 * read back from the broker.
 */

const prefix = `${uniqueName('undo-state')}:`;
const rDef = uniqueName('undo-def');
const rTen = uniqueName('undo-ten');
const rLanes = uniqueName('undo-lanes');
const m10 = uniqueName('undo-m10');
const m4 = uniqueName('undo-m4');
const rOther = uniqueName('undo-other');
const MAX = new Map([
  [m10, 10],
  [m4, 4],
]);
let redis: Redis;
let amqp: ChannelModel;
const who: Record<'viewer' | 'operator', Record<string, string>> = { viewer: {}, operator: {} };

type Handler = Parameters<typeof call>[0];
type Counts = { restorable: number; restored: number; alreadyRun: number };

beforeAll(async () => {
  useConfig({
    statePrefix: prefix,
    brokers: [
      {
        id: 'redis',
        kind: 'redis',
        url: REDIS_URL,
        discover: false,
        queues: [{ name: rDef }, { name: rTen, steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }, { name: rOther }, { name: `${rOther}.drained` }],
        laneGroups: [
          {
            name: rLanes,
            lanes: [
              { queue: `${rLanes}-hi`, priorities: [0, 4] },
              { queue: `${rLanes}-lo`, priorities: [5, 9] },
            ],
          },
        ],
      },
      {
        id: 'rabbitmq',
        kind: 'rabbitmq',
        url: AMQP_URL,
        managementUrl: MANAGEMENT_URL,
        queues: [
          { name: m10, maxPriority: 10 },
          { name: m4, maxPriority: 4 },
        ],
      },
    ],
  });
  redis = rawRedis();
  amqp = await connect(AMQP_URL, { noDelay: true });
  await declareRabbit(amqp, m10, { 'x-max-priority': 10 });
  await declareRabbit(amqp, m4, { 'x-max-priority': 4 });
  const store = await authStore();
  who.viewer = { authorization: `Bearer ${(await createToken(store, { name: uniqueName('undo-viewer'), role: 'viewer' })).token}` };
  who.operator = { authorization: `Bearer ${(await createToken(store, { name: uniqueName('undo-op'), role: 'operator' })).token}` };
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, rDef, rTen, rLanes, rOther, prefix);
  await deleteRabbit(amqp, m10, m4, `${m10}.triage-hold`, `${m4}.triage-hold`);
  await amqp.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

const act = <T>(handler: Handler, broker: string, queue: string, action: string, body?: unknown) =>
  call<T>(handler, 'POST', `/api/v1/queues/${broker}/${encodeURIComponent(queue)}/${action}`, { broker, queue }, body);

function undoCall(id: string, body: unknown = {}, headers: Record<string, string> = who.operator) {
  return call<Counts & { error?: { code: string; message: string } }>(undoRoute.POST, 'POST', `/api/v1/audit/${id}/undo`, { id }, body, headers);
}

/** The audit entry of the operation with this id. */
async function entryOf(operationId: string): Promise<AuditEntry> {
  const res = await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=200');
  const entry = res.body.entries.find((e) => e.result.operationId === operationId);
  if (!entry) throw new Error(`no audit entry for operation ${operationId}`);
  return entry;
}

async function enqueue(broker: string, queue: string, priorities: readonly number[]): Promise<string[]> {
  const b = await getBroker(broker);
  const ids: string[] = [];
  for (let i = 0; i < priorities.length; i += 1000) {
    const items = priorities.slice(i, i + 1000).map((priority, j) => ({ spec: { task: 'myapp.tasks.generate_report', args: [i + j] }, priority }));
    ids.push(...(await b.enqueue(queue, items)));
  }
  return ids;
}

/** Task id → its own priority, every waiting message, read from the broker. */
async function priorities(broker: string, queue: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (broker === 'rabbitmq') {
    const max = MAX.get(queue) ?? 10;
    for (const m of await readRabbit(amqp, queue)) out.set(m.id, rabbitTaskPriority(m.headers[TASK_PRIORITY_HEADER], m.priority, max));
    return out;
  }
  const b = await getBroker(broker);
  let cursor: string | undefined;
  do {
    const page = await b.browse(queue, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const m of page.messages) out.set(m.id, m.taskPriority);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

const LAYOUTS = [
  { label: 'Redis, default steps', broker: 'redis', queue: rDef },
  { label: 'Redis, ten steps', broker: 'redis', queue: rTen },
  { label: 'Redis, lanes', broker: 'redis', queue: rLanes },
  { label: 'RabbitMQ, 10 levels', broker: 'rabbitmq', queue: m10 },
  { label: 'RabbitMQ, 4 levels', broker: 'rabbitmq', queue: m4 },
];

describe.each(LAYOUTS)('undo of a reprioritize of 10,000 on $label', ({ broker, queue }) => {
  it('restores each remaining one\'s priority and counts the ones that ran; a second undo restores nothing and says so', async () => {
    const before = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? 0 : 4));
    const ids = await enqueue(broker, queue, before);
    const own = new Map(ids.map((id, i) => [id, before[i]!]));

    const done = await act<{ moved: number; operationId: string }>(reprioritizeRoute.POST, broker, queue, 'reprioritize', { priority: 9 });
    expect(done.status).toBe(200);
    expect(done.body.moved).toBe(10_000);
    const entry = await entryOf(done.body.operationId);
    if (broker === 'rabbitmq') await waitFor('every message back in the queue', async () => (await rabbitCount(amqp, queue)) === 10_000);

    // Half of them run meanwhile: taken from the queue, no longer findable.
    const ran = ids.filter((_, i) => i % 4 < 2);
    expect((await (await getBroker(broker)).control.extract(queue, { ids: ran }, null)).moved).toBe(5000);
    // RabbitMQ puts the messages a run read but did not take back when its channel closes.
    if (broker === 'rabbitmq') await waitFor('the unselected half back in the queue', async () => (await rabbitCount(amqp, queue)) === 5000);

    const dry = await undoCall(entry.id, { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ restorable: 5000, restored: 0, alreadyRun: 5000 });
    expect([...(await priorities(broker, queue)).values()].every((p) => p === 9)).toBe(true);

    const undone = await undoCall(entry.id);
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ restorable: 5000, restored: 5000, alreadyRun: 5000 });
    const after = await priorities(broker, queue);
    expect(after.size).toBe(5000);
    expect([...after].filter(([id, p]) => own.get(id) !== p)).toEqual([]);

    const again = await undoCall(entry.id);
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/already undone/);
    expect((await priorities(broker, queue)).size).toBe(5000);

    const audit = await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=20&action=undo');
    expect(audit.body.entries.find((e) => e.params.entry === entry.id)).toMatchObject({ target: { broker, queue }, result: { restored: 5000, alreadyRun: 5000 } });
    await (await getBroker(broker)).control.extract(queue, {}, null);
  });
});

describe('undo of other actions', () => {
  it('a move between queues of different layouts (and brokers) puts each back at its own priority', async () => {
    const before = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 7];
    const ids = await enqueue('rabbitmq', m4, before);
    // 4 levels fold neighbours together: each message's own priority is what must come back.
    const moved = await act<{ moved: number; operationId: string }>(moveRoute.POST, 'rabbitmq', m4, 'move', { to: { broker: 'redis', queue: rTen }, priority: 5 });
    expect(moved.body.moved).toBe(12);
    const undone = await undoCall((await entryOf(moved.body.operationId)).id);
    expect(undone.body).toMatchObject({ restorable: 12, restored: 12, alreadyRun: 0 });
    expect((await priorities('redis', rTen)).size).toBe(0);
    const back = await priorities('rabbitmq', m4);
    expect(ids.map((id) => back.get(id))).toEqual(before);

    const redisIds = await enqueue('redis', rDef, before);
    const sameBroker = await act<{ operationId: string }>(moveRoute.POST, 'redis', rDef, 'move', { to: { broker: 'redis', queue: rLanes } });
    expect((await undoCall((await entryOf(sameBroker.body.operationId)).id)).body).toMatchObject({ restored: 12, alreadyRun: 0 });
    const home = await priorities('redis', rDef);
    expect(redisIds.map((id) => home.get(id))).toEqual(before);
    await (await getBroker('rabbitmq')).control.extract(m4, {}, null);
    await (await getBroker('redis')).control.extract(rDef, {}, null);
  });

  it('a drain is undone like its restore: on Redis ahead of what arrived meanwhile, in the original order', async () => {
    const before = [9, 0, 5, 5, 2, 9];
    const ids = await enqueue('redis', rOther, before);
    const drained = await act<{ moved: number; operationId: string }>(drainRoute.POST, 'redis', rOther, 'drain', {});
    expect(drained.body.moved).toBe(6);
    const newer = await enqueue('redis', rOther, [0, 9]);
    const undone = await undoCall((await entryOf(drained.body.operationId)).id);
    expect(undone.body).toMatchObject({ restorable: 6, restored: 6, alreadyRun: 0 });
    const order = [...(await priorities('redis', rOther)).keys()];
    // Per level (default steps: 0 holds 0..2), the drained ones first in their order, then the newer one.
    const at = (...own: number[]) => ids.filter((_, i) => own.includes(before[i]!));
    expect(order).toEqual([...at(0, 2), newer[0], ...at(5), ...at(9), newer[1]]);
    await (await getBroker('redis')).control.extract(rOther, {}, null);
  });

  it('a purge and a delete are undone from their archives', async () => {
    const before = [9, 0, 5, 5, 2];
    const ids = await enqueue('redis', rOther, before);
    const purged = await act<{ deleted: number; operationId: string }>(purgeRoute.POST, 'redis', rOther, 'purge', { confirm: rOther });
    expect(purged.body.deleted).toBe(5);
    const entry = await entryOf(purged.body.operationId);
    expect((await undoCall(entry.id, { dryRun: true })).body).toMatchObject({ restorable: 5, restored: 0 });
    expect((await undoCall(entry.id)).body).toMatchObject({ restorable: 5, restored: 5, alreadyRun: 0 });
    const back = await priorities('redis', rOther);
    expect(ids.map((id) => back.get(id))).toEqual(before);

    const deleted = await act<{ deleted: number; operationId: string }>(deleteRoute.POST, 'redis', rOther, 'delete', { ids: ids.slice(0, 2) });
    expect(deleted.body.deleted).toBe(2);
    expect((await priorities('redis', rOther)).size).toBe(3);
    expect((await undoCall((await entryOf(deleted.body.operationId)).id)).body).toMatchObject({ restored: 2 });
    expect((await priorities('redis', rOther)).size).toBe(5);
    await (await getBroker('redis')).control.extract(rOther, {}, null);
  });

  it('viewers may not undo; entries that changed no message say why; concurrent undos restore once; a locked queue is a 409', async () => {
    await enqueue('redis', rOther, [1, 1, 1]);
    const done = await act<{ operationId: string }>(reprioritizeRoute.POST, 'redis', rOther, 'reprioritize', { priority: 8 });
    const entry = await entryOf(done.body.operationId);
    expect((await undoCall(entry.id, {}, who.viewer)).status).toBe(403);

    const paused = await act<{ operationId?: string }>(pauseRoute.POST, 'redis', rOther, 'pause');
    expect(paused.status).toBe(200);
    const pauseEntry = (await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=5&action=pause')).body.entries[0]!;
    const refused = await undoCall(pauseEntry.id);
    expect(refused.status).toBe(422);
    expect(refused.body.error?.message).toMatch(/pause cannot be undone: .*resume/);
    expect((await undoCall('1-0')).status).toBe(404);

    const release = await runtime().state.lockQueue('redis', rOther, 'a-test');
    expect((await undoCall(entry.id)).status).toBe(409);
    await release!();

    const both = await Promise.all([undoCall(entry.id), undoCall(entry.id)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 200)!.body).toMatchObject({ restored: 3 });
    expect([...(await priorities('redis', rOther)).values()]).toEqual([1, 1, 1]);
    await (await getBroker('redis')).control.extract(rOther, {}, null);
  });
});
