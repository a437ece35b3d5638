import { connect, type ChannelModel } from 'amqplib';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import { authStore } from '@/lib/server/auth';
import { createToken } from '@/lib/server/tokens';
import type { AuditEntry } from '@/lib/state/audit';
import type { MessagePage, Queue } from '@/lib/shared/types';
import { toRabbitPriority } from '@/lib/shared/priority';
import * as reprioritizeRoute from '@/app/api/v1/queues/[broker]/[queue]/reprioritize/route';
import * as moveRoute from '@/app/api/v1/queues/[broker]/[queue]/move/route';
import * as messagesRoute from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import * as queueRoute from '@/app/api/v1/queues/[broker]/[queue]/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as searchRoute from '@/app/api/v1/search/route';
import * as operationRoute from '@/app/api/v1/operations/[id]/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';
import { declareRabbit, deleteRabbit, fillRabbit, fillRedis, readRabbit, readRedis } from './control/helpers';

/**
 * Finding work by what the operator remembers: a part of a task name (any case) in browse
 * and in operations' `match.task`, and a task id or its first characters in the header
 * search, which also finds messages still waiting. And previews that do not cost a queue
 * read when the broker already knows the answer.
 */

const rq = uniqueName('find-r');
const mq = uniqueName('find-m');
const mqDepth = uniqueName('find-md');
const prefix = `${uniqueName('find-state')}:`;
const REPORT = 'myapp.tasks.generate_report';
const EMAIL = 'myapp.tasks.send_email';
let redis: Redis;
let amqp: ChannelModel;

type Handler = Parameters<typeof call>[0];
const path = (broker: string, queue: string, suffix = '') => `/api/v1/queues/${broker}/${encodeURIComponent(queue)}${suffix}`;
const act = <T>(handler: Handler, broker: string, queue: string, action: string, body?: unknown) =>
  call<T>(handler, 'POST', path(broker, queue, `/${action}`), { broker, queue }, body);
const browse = (broker: string, queue: string, qs: string) => call<MessagePage>(messagesRoute.GET, 'GET', `${path(broker, queue, '/messages')}?${qs}`, { broker, queue });
const getQueue = (broker: string, queue: string) => call<Queue>(queueRoute.GET, 'GET', path(broker, queue), { broker, queue });
const getQueueQs = (broker: string, queue: string, qs: string) => call<Queue>(queueRoute.GET, 'GET', `${path(broker, queue)}${qs}`, { broker, queue });

interface Waiting {
  broker: string;
  queue: string;
  position: number;
  id: string;
  task: string;
  priority: number;
}
interface SearchResult {
  tasks: { id: string }[];
  waiting: Waiting[];
}
const search = (q: string) => call<SearchResult>(searchRoute.GET, 'GET', `/api/v1/search?q=${encodeURIComponent(q)}`);

beforeAll(async () => {
  useConfig({
    statePrefix: prefix,
    brokers: [
      // The search reads every listed queue: only this file's own, never other tests' (RabbitMQ: fetch and requeue).
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: rq }], discover: false },
      {
        id: 'rabbitmq',
        kind: 'rabbitmq',
        url: AMQP_URL,
        managementUrl: MANAGEMENT_URL,
        discover: false,
        queues: [
          { name: mq, maxPriority: 10 },
          { name: mqDepth, maxPriority: 10 },
        ],
      },
    ],
  });
  redis = rawRedis();
  amqp = await connect(AMQP_URL, { noDelay: true });
  await declareRabbit(amqp, mq);
  await declareRabbit(amqp, mqDepth);
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, rq, prefix);
  await deleteRabbit(amqp, mq, mqDepth, `${mq}.triage-hold`, `${mqDepth}.triage-hold`);
  await amqp.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

async function fill(broker: string, queue: string, priorities: number[], task: string): Promise<string[]> {
  return broker === 'redis' ? fillRedis(redis, queue, priorities, task) : fillRabbit(amqp, queue, priorities, task);
}

async function empty(broker: string, queue: string): Promise<void> {
  if (broker === 'redis') await deleteKeysLike(redis, queue);
  else {
    const ch = await amqp.createChannel();
    await ch.purgeQueue(queue);
    await ch.close();
  }
}

async function waitingIds(broker: string, queue: string): Promise<{ id: string; priority: number | null }[]> {
  if (broker === 'redis') return (await readRedis(redis, queue)).map((e) => ({ id: e.id, priority: e.priority }));
  return (await readRabbit(amqp, queue)).map((e) => ({ id: e.id, priority: e.priority }));
}

describe.each([
  ['redis', () => rq],
  ['rabbitmq', () => mq],
])('task names match by part, ignoring case (%s)', (broker, queueOf) => {
  it('browse ?task= finds myapp.tasks.generate_report by "GENERATE_report"', async () => {
    const queue = queueOf();
    const reports = await fill(broker, queue, [9, 9, 9], REPORT);
    await fill(broker, queue, [9, 9], EMAIL);
    const page = await browse(broker, queue, 'task=GENERATE_report&limit=50');
    expect(page.status).toBe(200);
    expect(page.body.messages.map((m) => [m.id, m.task])).toEqual(reports.map((id) => [id, REPORT]));
    const none = await browse(broker, queue, 'task=generate_reports&limit=50');
    expect(none.body.messages).toEqual([]);
    await empty(broker, queue);
  });

  it('operations select match.task by part, ignoring case: dry run and reprioritize', async () => {
    const queue = queueOf();
    const reports = await fill(broker, queue, [9, 9, 9], REPORT);
    const emails = await fill(broker, queue, [9, 9], EMAIL);
    const preview = await act<{ matched: number }>(reprioritizeRoute.POST, broker, queue, 'reprioritize', { priority: 0, match: { task: 'Generate_Report' }, dryRun: true });
    expect(preview).toMatchObject({ status: 200, body: { matched: 3, moved: 0 } });
    const run = await act<{ matched: number; moved: number }>(reprioritizeRoute.POST, broker, queue, 'reprioritize', { priority: 0, match: { task: 'generate_REPORT' } });
    expect(run).toMatchObject({ status: 200, body: { matched: 3, moved: 3 } });
    const after = await waitingIds(broker, queue);
    // The three reports now come first, in their order; the e-mails stay behind at 9.
    expect(after.map((e) => e.id)).toEqual([...reports, ...emails]);
    const urgent = broker === 'redis' ? 0 : toRabbitPriority(0, 10);
    expect(after.slice(0, 3).every((e) => e.priority === urgent)).toBe(true);
    expect(after.slice(3).every((e) => e.priority !== urgent)).toBe(true);
    await empty(broker, queue);
  });
});

describe('GET /api/v1/search', () => {
  it('finds a waiting message by full id and by an 8-character prefix, with broker, queue and position', async () => {
    const before = await fill('redis', rq, [9, 9], EMAIL);
    const [target] = await fill('redis', rq, [9], REPORT);
    await fill('redis', rq, [9], EMAIL);
    const rabbitBefore = await fill('rabbitmq', mqDepth, [5, 5, 5], EMAIL);
    const [rabbitTarget] = await fill('rabbitmq', mqDepth, [5], REPORT);

    const full = await search(target!);
    expect(full.status).toBe(200);
    // Position 1 is the next message a worker takes.
    expect(full.body.waiting).toEqual([{ broker: 'redis', queue: rq, position: before.length + 1, id: target, task: REPORT, priority: 9 }]);
    expect(full.body.tasks).toEqual([]);

    const short = await search(target!.slice(0, 8).toUpperCase());
    expect(short.status).toBe(200);
    expect(short.body.waiting).toContainEqual({ broker: 'redis', queue: rq, position: before.length + 1, id: target, task: REPORT, priority: 9 });

    const rabbit = await search(rabbitTarget!.slice(0, 10));
    expect(rabbit.body.waiting).toContainEqual({ broker: 'rabbitmq', queue: mqDepth, position: rabbitBefore.length + 1, id: rabbitTarget, task: REPORT, priority: 5 });
    // The search put back what it read, in order.
    expect((await readRabbit(amqp, mqDepth)).map((e) => e.id)).toEqual([...rabbitBefore, rabbitTarget]);

    await empty('redis', rq);
    await empty('rabbitmq', mqDepth);
  });

  it('finds a task record by id prefix', async () => {
    const id = `${uniqueName('rec')}-0000`;
    const at = new Date().toISOString();
    await redis.set(`${prefix}task:${id}`, JSON.stringify({ id, task: REPORT, broker: 'redis', queue: rq, priority: 3, state: 'succeeded', history: [{ state: 'succeeded', at }], updatedAt: at }));
    const res = await search(id.slice(0, 12));
    expect(res.status).toBe(200);
    expect(res.body.tasks.map((t) => t.id)).toEqual([id]);
  });

  it.each([
    ['shorter than 8 characters', 'abcdefg'],
    ['empty', ''],
    ['only spaces', '         '],
  ])('answers 400 for a query %s', async (_, q) => {
    const res = await search(q);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});

describe('RabbitMQ previews from per-priority depth', () => {
  const priorities = [...Array<number>(12).fill(9), ...Array<number>(7).fill(4), ...Array<number>(5).fill(0)];

  it('a priorities-only or select-all dry run reads no message: none comes back redelivered', async () => {
    await fill('rabbitmq', mqDepth, priorities, EMAIL);
    // The per-priority split is the management API's statistics: wait until it shows them.
    await waitFor('per-priority depth reported', async () => {
      const q = await getQueue('rabbitmq', mqDepth);
      return q.body.byPriority['9'] === 12 && q.body.byPriority['4'] === 7 && q.body.byPriority['0'] === 5;
    });
    const nines = await act<{ matched: number; moved: number }>(reprioritizeRoute.POST, 'rabbitmq', mqDepth, 'reprioritize', { priority: 0, match: { priorities: [9, 4] }, dryRun: true });
    expect(nines).toMatchObject({ status: 200, body: { matched: 19, moved: 0 } });
    const all = await act<{ matched: number }>(reprioritizeRoute.POST, 'rabbitmq', mqDepth, 'reprioritize', { priority: 0, dryRun: true });
    expect(all).toMatchObject({ status: 200, body: { matched: 24, moved: 0 } });
    const move = await act<{ matched: number }>(moveRoute.POST, 'rabbitmq', mqDepth, 'move', { to: { broker: 'rabbitmq', queue: mq }, match: { priorities: [0] }, dryRun: true });
    expect(move).toMatchObject({ status: 200, body: { matched: 5, moved: 0 } });

    // A message a dry run had fetched would be delivered now with redelivered = true.
    const ch = await amqp.createChannel();
    const redelivered: boolean[] = [];
    for (;;) {
      const got = await ch.get(mqDepth, { noAck: false });
      if (!got) break;
      redelivered.push(got.fields.redelivered);
    }
    await ch.close();
    expect(redelivered).toHaveLength(24);
    expect(redelivered.filter(Boolean)).toEqual([]);
  });

  it('a task-name dry run still reads the queue and counts exactly', async () => {
    const res = await act<{ matched: number }>(reprioritizeRoute.POST, 'rabbitmq', mqDepth, 'reprioritize', { priority: 0, match: { task: 'send_email', priorities: [4] }, dryRun: true });
    expect(res).toMatchObject({ status: 200, body: { matched: 7, moved: 0 } });
  });

  it('the queue carries its exact AMQP depth for estimates before destructive actions', async () => {
    const q = await getQueue('rabbitmq', mqDepth);
    expect(q.body.details.exactDepth).toBe(24);
  });

  it('previews are not audited', async () => {
    const res = await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=200');
    expect(res.status).toBe(200);
    const previews = res.body.entries.filter((e) => e.action.endsWith('.preview'));
    expect(previews).toEqual([]);
    expect(res.body.entries.map((e) => e.action)).toContain('reprioritize');
  });
});

describe('GET /api/v1/operations/{id}?pending=1', () => {
  it('answers pending for an operation not started yet, so a polling page logs no 404; a plain read still 404s', async () => {
    const id = uniqueName('op');
    const pending = await call<{ status: string }>(operationRoute.GET, 'GET', `/api/v1/operations/${id}?pending=1`, { id });
    expect(pending).toMatchObject({ status: 200, body: { id, status: 'pending', progress: { scanned: 0, matched: 0, moved: 0 } } });
    const plain = await call(operationRoute.GET, 'GET', `/api/v1/operations/${id}`, { id });
    expect(plain.status).toBe(404);
    const bad = await call(operationRoute.GET, 'GET', `/api/v1/operations/${id}?pending=yes`, { id });
    expect(bad.status).toBe(400);
    // The query is still strict besides the flag.
    expect((await call(operationRoute.GET, 'GET', `/api/v1/operations/${id}?pending=1&other=1`, { id })).status).toBe(400);
  });
});

describe('GET /api/v1/queues/{broker}/{queue}?missing=empty', () => {
  it('answers depth 0 for a parking queue that does not exist yet, instead of a 404; a plain read still 404s', async () => {
    const name = `${mq}.drained`;
    const res = await getQueueQs('rabbitmq', name, '?missing=empty');
    expect(res).toMatchObject({ status: 200, body: { broker: 'rabbitmq', name, exists: false, depth: 0 } });
    expect((await getQueue('rabbitmq', name)).status).toBe(404);
    expect((await getQueueQs('redis', `${rq}.drained`, '?missing=empty')).body).toMatchObject({ depth: 0 });
    // The flag has one value; an unknown broker is a 404 whatever the flag; other query fields are still ignored.
    expect((await getQueueQs('rabbitmq', name, '?missing=yes')).status).toBe(400);
    expect((await getQueueQs('nowhere', name, '?missing=empty')).status).toBe(404);
    expect((await getQueueQs('rabbitmq', name, '?missing=empty&other=1')).status).toBe(200);
  });
});

describe('a scanning preview the operator does not wait for', () => {
  it('reports a running count, and an operation on the queue stops it (partial, at least N) and misses none of what it held', async () => {
    const queue = mq;
    const total = 15_000;
    await fill('rabbitmq', queue, Array<number>(total).fill(9), REPORT);
    const operationId = uniqueName('preview');
    // Selected by task name: only reading the queue can count it.
    const preview = act<{ matched: number; partial?: boolean }>(reprioritizeRoute.POST, 'rabbitmq', queue, 'reprioritize', {
      priority: 0,
      match: { task: 'generate_report' },
      dryRun: true,
      operationId,
    });
    const running = await waitFor('a running count', async () => {
      const op = await call<{ status: string; progress: { matched: number } }>(operationRoute.GET, 'GET', `/api/v1/operations/${operationId}?pending=1`, { id: operationId });
      return op.body.status === 'running' && op.body.progress.matched > 0 ? op.body : null;
    });
    expect(running.progress.matched).toBeLessThan(total);
    const run = await act<{ matched: number; moved: number }>(reprioritizeRoute.POST, 'rabbitmq', queue, 'reprioritize', { priority: 0, match: { task: 'generate_report' } });
    const previewed = await preview;
    expect(previewed).toMatchObject({ status: 200, body: { partial: true } });
    expect(previewed.body.matched).toBeGreaterThanOrEqual(running.progress.matched);
    expect(previewed.body.matched).toBeLessThan(total);
    // Nothing the preview held escaped the operation.
    expect(run).toMatchObject({ status: 200, body: { matched: total, moved: total } });
    const after = await readRabbit(amqp, queue);
    expect(after).toHaveLength(total);
    expect(after.every((e) => e.priority === toRabbitPriority(0, 10))).toBe(true);
    await empty('rabbitmq', queue);
  }, 120_000);
});

describe('a search passing by', () => {
  it('lets go of a queue when an operation starts there: the operation misses nothing the search was holding', async () => {
    const queue = mq;
    const total = 9_000;
    await fill('rabbitmq', queue, Array<number>(total).fill(9), EMAIL);
    // No id starts with this: the search reads the whole queue (holding what it read).
    const searching = search('ffffffff-ffff-not-an-id');
    await waitFor('the search holding messages', async () => {
      const ch = await amqp.createChannel();
      const { messageCount } = await ch.checkQueue(queue);
      await ch.close();
      return messageCount < total;
    }, 30_000, 5);
    const run = await act<{ matched: number; moved: number }>(reprioritizeRoute.POST, 'rabbitmq', queue, 'reprioritize', { priority: 0, match: { priorities: [9] } });
    const found = await searching;
    expect(found.status).toBe(200);
    expect(found.body.waiting).toEqual([]);
    expect((found.body as unknown as { incomplete: { queue: string }[] }).incomplete.map((i) => i.queue)).toContain(queue);
    expect(run).toMatchObject({ status: 200, body: { matched: total, moved: total } });
    const after = await readRabbit(amqp, queue);
    expect(after).toHaveLength(total);
    expect(after.every((e) => e.priority === toRabbitPriority(0, 10))).toBe(true);
    await empty('rabbitmq', queue);
  }, 120_000);
});

describe('searches per caller', () => {
  const viewer = async (name: string) => {
    const { token } = await createToken(await authStore(), { name: uniqueName(name), role: 'viewer' });
    return { authorization: `Bearer ${token}` };
  };
  const searchAs = (headers: Record<string, string>, q = 'eeeeeeee-not-an-id') =>
    call<{ error?: { code: string; message: string } }>(searchRoute.GET, 'GET', `/api/v1/search?q=${q}`, {}, undefined, headers);

  it('at most 10 a minute per caller (429 with Retry-After), another caller unaffected', async () => {
    const [alice, bob] = [await viewer('search-alice'), await viewer('search-bob')];
    for (let i = 0; i < 10; i++) expect((await searchAs(alice)).status).toBe(200);
    const refused = await call(searchRoute.GET, 'GET', '/api/v1/search?q=eeeeeeee-not-an-id', {}, undefined, alice);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'THROTTLED', message: expect.stringContaining('10 searches a minute') } } });
    const raw = await searchRoute.GET(new Request('http://localhost/api/v1/search?q=eeeeeeee-not-an-id', { headers: alice }), { params: Promise.resolve({}) });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(raw.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await searchAs(bob)).status).toBe(200);
  });

  it('one at a time per caller: a second search while the first reads a deep queue is refused, another caller is not', async () => {
    const queue = mq;
    const total = 9_000;
    const [carol, dave] = [await viewer('search-carol'), await viewer('search-dave')];
    await fill('rabbitmq', queue, Array<number>(total).fill(5), EMAIL);
    try {
      const first = searchAs(carol, 'dddddddd-not-an-id');
      await waitFor('the first search holding messages', async () => {
        const ch = await amqp.createChannel();
        const { messageCount } = await ch.checkQueue(queue);
        await ch.close();
        return messageCount < total;
      }, 30_000, 5);
      const second = await searchRoute.GET(new Request('http://localhost/api/v1/search?q=dddddddd-not-an-id', { headers: carol }), { params: Promise.resolve({}) });
      expect(second.status).toBe(429);
      expect(((await second.json()) as { error: { message: string } }).error.message).toContain('still running');
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const other = searchAs(dave, 'cccccccc-not-an-id');
      expect((await first).status).toBe(200);
      expect((await other).status).toBe(200);
      // The slot is free again once the first has answered.
      expect((await searchAs(carol)).status).toBe(200);
    } finally {
      await empty('rabbitmq', queue);
    }
  }, 120_000);
});
