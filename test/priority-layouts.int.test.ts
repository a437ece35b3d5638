import { connect, type ChannelModel } from 'amqplib';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBroker, resetRuntime } from '@/lib/server/runtime';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { TASK_PRIORITY_HEADER, toRabbitPriority } from '@/lib/shared/priority';
import type { Message, MessagePage, Queue } from '@/lib/shared/types';
import * as tasksRoute from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import * as messagesRoute from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import * as queueRoute from '@/app/api/v1/queues/[broker]/[queue]/route';
import * as moveRoute from '@/app/api/v1/queues/[broker]/[queue]/move/route';
import * as drainRoute from '@/app/api/v1/queues/[broker]/[queue]/drain/route';
import * as restoreRoute from '@/app/api/v1/queues/[broker]/[queue]/restore/route';
import * as purgeRoute from '@/app/api/v1/queues/[broker]/[queue]/purge/route';
import * as retryQueueRoute from '@/app/api/v1/queues/[broker]/[queue]/retry/route';
import * as archiveRestoreRoute from '@/app/api/v1/archives/[archiveId]/restore/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { call, writeTestConfig } from './api-client';
import { declareRabbit, readRabbit } from './control/helpers';

/**
 * Issue #16: a move between queues of different priority layouts must keep every task's
 * own priority (never the level of the list it sat in) and the order a worker would take
 * them in. One matrix over five layouts: Redis with kombu's default steps, Redis with ten
 * steps and separator ':', a Redis lane group, RabbitMQ x-max-priority 10 and 4 (which
 * merges neighbouring priorities on the wire). Each case checks, per message, the API's
 * `taskPriority`, the raw envelope (Redis `properties.priority`; RabbitMQ the
 * `triage_priority` header and the AMQP priority) and the delivery order.
 */

const base = uniqueName('prio-mx');
const prefix = `${uniqueName('prio-mx-state')}:`;

interface Layout {
  name: string;
  broker: 'redis' | 'rabbitmq';
  queue: string;
  /** x-max-priority (RabbitMQ). */
  max?: number;
  /** Redis lists' routing keys (a lane group's lanes). */
  routingKeys: string[];
}

const lanes = ['hi', 'md', 'lo'].map((l) => `${base}-${l}`);
const LAYOUTS: Layout[] = [
  { name: 'redis default steps', broker: 'redis', queue: `${base}-r4`, routingKeys: [`${base}-r4`] },
  { name: "redis ten steps sep ':'", broker: 'redis', queue: `${base}-r10`, routingKeys: [`${base}-r10`] },
  { name: 'redis lane group', broker: 'redis', queue: `${base}-lanes`, routingKeys: lanes },
  { name: 'rabbitmq x-max-priority 10', broker: 'rabbitmq', queue: `${base}-m10`, max: 10, routingKeys: [] },
  { name: 'rabbitmq x-max-priority 4', broker: 'rabbitmq', queue: `${base}-m4`, max: 4, routingKeys: [] },
];

/** The issue's P1, P4, P7, P8, plus neighbours that share a level somewhere, interleaved. */
const SENT = [1, 4, 7, 8, 2, 1, 0, 9, 5, 2, 3, 6];
const LATE = [1, 7];

let redis: Redis;
let amqp: ChannelModel;

type Handler = Parameters<typeof call>[0];
const path = (l: { broker: string; queue: string }, action = '') => `/api/v1/queues/${l.broker}/${encodeURIComponent(l.queue)}${action ? `/${action}` : ''}`;
const params = (l: { broker: string; queue: string }) => ({ broker: l.broker, queue: l.queue });
async function post<T>(handler: Handler, l: { broker: string; queue: string }, action: string, body?: unknown): Promise<T> {
  const res = await call<T>(handler, 'POST', path(l, action), params(l), body ?? {});
  expect(res.status, `${action} ${l.queue}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

interface Sent {
  id: string;
  priority: number;
}

async function enqueue(l: Layout, priorities: readonly number[], label: string): Promise<Sent[]> {
  const out: Sent[] = [];
  for (const [i, priority] of priorities.entries()) {
    const { ids } = await post<{ ids: string[] }>(tasksRoute.POST, l, 'tasks', { task: 'matrix.task', args: [label, i], priority });
    out.push({ id: ids[0]!, priority });
  }
  return out;
}

async function browse(l: { broker: string; queue: string }): Promise<Message[]> {
  const res = await call<MessagePage>(messagesRoute.GET, 'GET', `${path(l, 'messages')}?limit=500`, params(l));
  expect(res.status).toBe(200);
  return res.body.messages;
}

async function levelOf(l: Layout): Promise<number[]> {
  const res = await call<Queue>(queueRoute.GET, 'GET', path(l), params(l));
  expect(res.status).toBe(200);
  return res.body.levelOf;
}

/** Stable sort by the level each task's own priority is stored under: the order a worker takes them in. */
function consumptionOrder(messages: readonly Sent[], levels: readonly number[]): Sent[] {
  return messages
    .map((m, i) => ({ m, i }))
    .sort((a, b) => levels[a.m.priority]! - levels[b.m.priority]! || a.i - b.i)
    .map((x) => x.m);
}

/** Every waiting message of `l`: in the API (order, taskPriority) and raw on the broker (own priority kept there). */
async function expectQueue(l: Layout, expected: readonly Sent[], what: string): Promise<void> {
  const got = await browse(l);
  expect(got.map((m) => [m.id, m.taskPriority]), `${what}: API order and taskPriority`).toEqual(expected.map((m) => [m.id, m.priority]));
  const levels = await levelOf(l);
  expect(got.map((m) => m.priority), `${what}: stored levels`).toEqual(expected.map((m) => levels[m.priority]));
  const own = new Map(expected.map((m) => [m.id, m.priority]));
  if (l.broker === 'rabbitmq') {
    const raw = await readRabbit(amqp, l.queue);
    expect(
      raw.map((m) => [m.id, m.headers[TASK_PRIORITY_HEADER], m.priority]),
      `${what}: triage_priority header and AMQP priority`,
    ).toEqual(expected.map((m) => [m.id, m.priority, toRabbitPriority(m.priority, l.max)]));
    return;
  }
  const raw = await rawRedisMessages(l);
  expect(raw.size, `${what}: raw count`).toBe(expected.length);
  for (const [id, env] of raw) {
    expect({ id, priority: env.priority, routedHere: l.routingKeys.includes(env.routingKey ?? '') }, `${what}: properties.priority`).toEqual({
      id,
      priority: own.get(id),
      routedHere: true,
    });
  }
}

/** id → properties.priority and routing key of every list element of the queue's lists. */
async function rawRedisMessages(l: Layout): Promise<Map<string, { priority: number | null; routingKey: string | null }>> {
  const out = new Map<string, { priority: number | null; routingKey: string | null }>();
  for (const name of l.routingKeys) {
    const keys = [name, ...['\x06\x16', ':'].flatMap((sep) => [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => `${name}${sep}${s}`))];
    for (const key of keys) {
      for (const raw of await redis.lrange(key, 0, -1)) {
        const d = decodeRedisPayload(raw);
        out.set(d.ok ? d.task.id : raw, { priority: d.envelope?.brokerPriority ?? null, routingKey: d.envelope?.routingKey ?? null });
      }
    }
  }
  return out;
}

async function empty(l: { broker: string; queue: string }): Promise<void> {
  if ((await browse(l)).length > 0) await post(purgeRoute.POST, l, 'purge', { confirm: l.queue });
}

/**
 * The archive-restore pairs reconfigure one queue between the purge and the restore (a
 * queue whose layout changed meanwhile): `${base}-ar` on Redis, `${base}-arm` on RabbitMQ.
 */
const AR = `${base}-ar`;
const ARM = `${base}-arm`;
const arLanes = ['hi', 'md', 'lo'].map((l) => `${AR}-${l}`);
type ArchiveLayout = 'default' | 'ten' | 'lanes' | 10 | 4;
const ARCHIVE_LAYOUTS: { name: string; redis?: ArchiveLayout; rabbit?: ArchiveLayout }[] = [
  { name: 'redis default steps', redis: 'default' },
  { name: "redis ten steps sep ':'", redis: 'ten' },
  { name: 'redis lane group', redis: 'lanes' },
  { name: 'rabbitmq x-max-priority 10', rabbit: 10 },
  { name: 'rabbitmq x-max-priority 4', rabbit: 4 },
];

function layoutConfig(ar: ArchiveLayout = 'default', arm: ArchiveLayout = 10) {
  const lanesOf = (name: string, queues: string[]) => ({
    name,
    lanes: [
      { queue: queues[0], priorities: [0, 2] },
      { queue: queues[1], priorities: [3, 5] },
      { queue: queues[2], priorities: [6, 9] },
    ],
  });
  return {
    statePrefix: prefix,
    brokers: [
      {
        id: 'redis',
        kind: 'redis',
        url: REDIS_URL,
        queues: [
          { name: `${base}-r4` },
          { name: `${base}-r10`, steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], sep: ':' },
          ...(ar === 'default' ? [{ name: AR }] : ar === 'ten' ? [{ name: AR, steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], sep: ':' }] : []),
        ],
        laneGroups: [lanesOf(`${base}-lanes`, lanes), ...(ar === 'lanes' ? [lanesOf(AR, arLanes)] : [])],
      },
      {
        id: 'rabbitmq',
        kind: 'rabbitmq',
        url: AMQP_URL,
        managementUrl: MANAGEMENT_URL,
        queues: [
          { name: `${base}-m10`, maxPriority: 10 },
          { name: `${base}-m4`, maxPriority: 4 },
          { name: ARM, maxPriority: arm },
        ],
      },
    ],
  };
}

function archiveLayout(l: ArchiveLayout): Layout {
  if (l === 10 || l === 4) return { name: `rabbitmq ${l}`, broker: 'rabbitmq', queue: ARM, max: l, routingKeys: [] };
  return { name: `redis ${l}`, broker: 'redis', queue: AR, routingKeys: l === 'lanes' ? arLanes : [AR] };
}

beforeAll(async () => {
  writeTestConfig(layoutConfig());
  redis = rawRedis();
  amqp = await connect(AMQP_URL, { noDelay: true });
  await declareRabbit(amqp, `${base}-m10`, { 'x-max-priority': 10 });
  await declareRabbit(amqp, `${base}-m4`, { 'x-max-priority': 4 });
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, base, prefix);
  const ch = await amqp.createChannel();
  for (const q of [`${base}-m10`, `${base}-m4`, ARM]) {
    for (const name of [q, `${q}.drained`, `${q}.dead`, `${q}.triage-hold`]) await ch.deleteQueue(name);
  }
  await ch.close();
  await amqp.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

const pairs = LAYOUTS.flatMap((from) => LAYOUTS.map((to) => [from, to] as const));

describe('every task keeps its own priority across layouts', () => {
  it.each(pairs.filter(([a, b]) => a !== b).map(([a, b]) => [a.name, b.name, a, b] as const))('move %s → %s', async (_a, _b, from, to) => {
    const sent = await enqueue(from, SENT, 'move');
    const fromOrder = consumptionOrder(sent, await levelOf(from));
    await expectQueue(from, fromOrder, 'before the move');
    await post(moveRoute.POST, from, 'move', { to: { broker: to.broker, queue: to.queue } });
    expect(await browse(from)).toEqual([]);
    // Lists are walked in consumption order, so the target keeps that order within each of its levels.
    await expectQueue(to, consumptionOrder(fromOrder, await levelOf(to)), 'after the move');
    await empty(to);
  });

  it.each(pairs.map(([a, b]) => [a.name, a === b ? 'its own parking queue' : b.name, a, b] as const))(
    'drain %s → %s, then restore: own priorities and order back, ahead of later arrivals where the broker can',
    async (_a, _b, source, parking) => {
      const sent = await enqueue(source, SENT, 'drain');
      const sourceLevels = await levelOf(source);
      const original = consumptionOrder(sent, sourceLevels);
      const own = parking === source;
      const parked = own ? { broker: source.broker, queue: `${source.queue}.drained` } : { broker: parking.broker, queue: parking.queue };
      await post(drainRoute.POST, source, 'drain', own ? {} : { to: parked });
      expect(await browse(source)).toEqual([]);
      const parkedMessages = await browse(parked);
      expect(parkedMessages.map((m) => [m.id, m.taskPriority])).toEqual(
        consumptionOrder(original, own ? sourceLevels : await levelOf(parking)).map((m) => [m.id, m.priority]),
      );
      const late = await enqueue(source, LATE, 'late');
      await post(restoreRoute.POST, source, 'restore', own ? {} : { from: parked });
      expect(await browse(parked)).toEqual([]);
      // What came back, in the order it left the parking queue; ahead of the late ones on Redis (one broker), behind them otherwise.
      const back = consumptionOrder(original, own ? sourceLevels : await levelOf(parking));
      const front = source.broker === 'redis' && parked.broker === 'redis';
      await expectQueue(source, consumptionOrder(front ? [...back, ...late] : [...late, ...back], sourceLevels), 'after the restore');
      await empty(source);
    },
  );

  it.each(LAYOUTS.map((l) => [l.name, l] as const))('purge %s → archive restore: own priorities, original order, ahead of later arrivals where the broker can', async (_n, l) => {
    const sent = await enqueue(l, SENT, 'purge');
    const levels = await levelOf(l);
    const original = consumptionOrder(sent, levels);
    const { archiveId } = await post<{ archiveId: string }>(purgeRoute.POST, l, 'purge', { confirm: l.queue });
    expect(await browse(l)).toEqual([]);
    const late = await enqueue(l, LATE, 'late');
    const res = await call<{ restored: number }>(archiveRestoreRoute.POST, 'POST', `/api/v1/archives/${archiveId}/restore`, { archiveId }, {});
    expect(res.body).toMatchObject({ restored: SENT.length });
    await expectQueue(l, consumptionOrder(l.broker === 'redis' ? [...original, ...late] : [...late, ...original], levels), 'after the archive restore');
    await empty(l);
  });

  it.each(
    ARCHIVE_LAYOUTS.flatMap((from) =>
      ARCHIVE_LAYOUTS.filter((to) => (from.redis ? to.redis : to.rabbit) !== undefined).map((to) => [from.name, to.name, from, to] as const),
    ),
  )('purge from %s, the queue becomes %s, archive restore: own priorities kept', async (_a, _b, from, to) => {
    const before = archiveLayout((from.redis ?? from.rabbit)!);
    const after = archiveLayout((to.redis ?? to.rabbit)!);
    const reconfigure = async (l: ArchiveLayout) => {
      await resetRuntime();
      writeTestConfig(before.broker === 'redis' ? layoutConfig(l) : layoutConfig('default', l));
      if (before.broker === 'rabbitmq') {
        // RabbitMQ fixes x-max-priority at declaration: the queue is declared anew.
        const ch = await amqp.createChannel();
        await ch.deleteQueue(ARM);
        await ch.close();
        await declareRabbit(amqp, ARM, { 'x-max-priority': l });
      }
    };
    await reconfigure((from.redis ?? from.rabbit)!);
    const sent = await enqueue(before, SENT, 'reconfigured');
    const original = consumptionOrder(sent, await levelOf(before));
    await expectQueue(before, original, 'before the purge');
    const { archiveId } = await post<{ archiveId: string }>(purgeRoute.POST, before, 'purge', { confirm: before.queue });
    await reconfigure((to.redis ?? to.rabbit)!);
    const res = await call<{ restored: number }>(archiveRestoreRoute.POST, 'POST', `/api/v1/archives/${archiveId}/restore`, { archiveId }, {});
    expect(res.body).toMatchObject({ restored: SENT.length });
    await expectQueue(after, consumptionOrder(original, await levelOf(after)), 'after the archive restore');
    await empty(after);
    await resetRuntime();
    writeTestConfig(layoutConfig());
  });

  it.each(LAYOUTS.map((l) => [l.name, l] as const))('dead-letter %s (by the worker), retry: back at each own priority, in order', async (_n, l) => {
    const sent = await enqueue(l, SENT, 'dead');
    const levels = await levelOf(l);
    const original = consumptionOrder(sent, levels);
    const broker = await getBroker(l.broker);
    // The bundled worker's adapter dead-letters each message as it takes it.
    const taken: string[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const handle = await broker.consume({
      queues: [l.queue],
      concurrency: 1,
      isPaused: () => false,
      statePrefix: prefix,
      onDelivery: async (delivery) => {
        taken.push(delivery.decoded.ok ? delivery.decoded.task.id : 'undecodable');
        expect(delivery.priority).toBe(sent.find((s) => s.id === taken.at(-1))?.priority);
        await delivery.deadLetter({ reason: 'max_retries', error: 'boom', traceback: 'tb' });
        if (taken.length === SENT.length) finish();
      },
    });
    await finished;
    await handle.stop();
    expect(taken).toEqual(original.map((m) => m.id));
    const dead = { broker: l.broker, queue: `${l.queue}.dead` };
    const parked = await browse(dead);
    expect(parked.map((m) => [m.id, m.taskPriority, m.deadLetter?.originalPriority])).toEqual(original.map((m) => [m.id, m.priority, m.priority]));
    await post(retryQueueRoute.POST, dead, 'retry', {});
    expect(await browse(dead)).toEqual([]);
    await expectQueue(l, original, 'after the retry');
    await empty(l);
  });
});
