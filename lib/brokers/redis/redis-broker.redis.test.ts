import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisBrokerConfigSchema, type RedisBrokerConfig } from './config';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { ALL_STEPS, KOMBU_DEFAULT_SEP } from '@/lib/shared/priority';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from '@/test/support';
import { RedisBroker } from './redis-broker';

const SEP = KOMBU_DEFAULT_SEP;
let redis: Redis;
const brokers: RedisBroker[] = [];
const names: string[] = [];

function makeBroker(overrides: Partial<Record<string, unknown>> = {}): RedisBroker {
  const config: RedisBrokerConfig = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL, ...overrides });
  const broker = new RedisBroker(config, { discoveryTtlMs: 0 });
  brokers.push(broker);
  return broker;
}

function name(label: string): string {
  const n = uniqueName(label);
  names.push(n);
  return n;
}

/** What a kombu worker would pop next, repeatedly, without touching the real lists. */
async function kombuPopOrder(keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) out.push(...(await redis.lrange(key, 0, -1)).reverse());
  return out;
}

beforeAll(() => {
  redis = rawRedis();
});
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.close()));
  await deleteKeysLike(redis, ...names.splice(0));
});
afterAll(async () => {
  await redis.quit();
});

describe('RedisBroker enqueue', () => {
  it('lands each priority on the step list kombu would use, with a valid envelope', async () => {
    const q = name('steps');
    const broker = makeBroker({ queues: [{ name: q }] });
    await broker.connect();
    const ids: string[] = [];
    for (const priority of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const [id] = await broker.enqueue(q, [{ priority, spec: { task: 'myapp.tasks.send_email', args: [priority], kwargs: { p: priority } } }]);
      ids.push(id!);
    }
    const expected: Record<string, number[]> = { [q]: [0, 1, 2], [`${q}${SEP}3`]: [3, 4, 5], [`${q}${SEP}6`]: [6, 7, 8], [`${q}${SEP}9`]: [9] };
    for (const [key, priorities] of Object.entries(expected)) {
      const values = await redis.lrange(key, 0, -1);
      // LPUSH puts the newest at the head, so LRANGE lists them newest first.
      const decoded = values.reverse().map((v) => decodeRedisPayload(v));
      expect(decoded.map((d) => (d.ok ? d.task.args : null))).toEqual(priorities.map((p) => [p]));
      for (const [i, d] of decoded.entries()) {
        expect(d.ok).toBe(true);
        expect(d.envelope?.brokerPriority).toBe(priorities[i]);
        expect(d.envelope?.routingKey).toBe(q);
        expect(d.envelope?.exchange).toBe('');
        expect(d.envelope?.deliveryTag).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    // Declared like a Celery producer: the binding member routes the exchange to the queue.
    expect(await redis.smembers(`_kombu.binding.${q}`)).toEqual([`${q}${SEP}${SEP}${q}`]);
    const envelope = JSON.parse((await redis.lindex(q, -1))!) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual(['body', 'content-encoding', 'content-type', 'headers', 'properties']);
    expect(JSON.parse(Buffer.from(envelope.body as string, 'base64').toString())).toEqual([[0], { p: 0 }, { callbacks: null, errbacks: null, chain: null, chord: null }]);
    expect(new Set(ids).size).toBe(10);
  });

  it('honours ten steps with sep ":" and a global_keyprefix', async () => {
    const q = name('ten');
    const broker = makeBroker({ globalKeyprefix: `${q}pfx:`, queues: [{ name: q, steps: [...ALL_STEPS], sep: ':' }] });
    await broker.connect();
    await broker.enqueue(q, [0, 4, 9].map((priority) => ({ priority, spec: { task: 't' } })));
    expect(await redis.llen(`${q}pfx:${q}`)).toBe(1);
    expect(await redis.llen(`${q}pfx:${q}:4`)).toBe(1);
    expect(await redis.llen(`${q}pfx:${q}:9`)).toBe(1);
    expect(await redis.exists(`${q}pfx:_kombu.binding.${q}`)).toBe(1);
    // Its ':'-separated step lists are part of it, not queues of their own.
    const listed = await broker.listQueues();
    expect(listed.filter((x) => x.name.startsWith(q)).map((x) => x.name)).toEqual([q]);
    const queue = await broker.getQueue(q);
    expect(queue?.byPriority).toMatchObject({ '0': 1, '4': 1, '9': 1 });
    expect(queue?.levels).toEqual([...ALL_STEPS]);
  });

});

describe('RedisBroker reading', () => {
  it('counts per priority exactly as raw LLEN, and finds in-flight in kombu unacked', async () => {
    const q = name('count');
    const broker = makeBroker({ queues: [{ name: q }] });
    await broker.connect();
    const priorities = [0, 0, 1, 3, 5, 5, 6, 9, 9, 9];
    await broker.enqueue(q, priorities.map((priority) => ({ priority, spec: { task: 't' } })));
    // One message reserved by a (simulated) kombu consumer.
    const unackedKey = `${q}:unacked`;
    const b2 = makeBroker({ queues: [{ name: q }], unackedKey });
    await b2.connect();
    const payload = await redis.rpop(`${q}${SEP}9`);
    await redis.hset(unackedKey, 'tag-1', JSON.stringify([JSON.parse(payload!), '', q]));
    const queue = (await b2.listQueues()).find((x) => x.name === q)!;
    const raw = { '0': await redis.llen(q), '3': await redis.llen(`${q}${SEP}3`), '6': await redis.llen(`${q}${SEP}6`), '9': await redis.llen(`${q}${SEP}9`) };
    expect(queue.byPriority).toEqual({ '0': raw['0'], '1': 0, '2': 0, '3': raw['3'], '4': 0, '5': 0, '6': raw['6'], '7': 0, '8': 0, '9': raw['9'] });
    expect(queue.byPriority['0']).toBe(3);
    expect(queue.byPriority['9']).toBe(2);
    expect(queue.depth).toBe(9);
    expect(queue.inFlight).toBe(1);
    expect(queue.levels).toEqual([0, 3, 6, 9]);
    expect(queue.levelOf).toEqual([0, 0, 0, 3, 3, 3, 6, 6, 6, 9]);
    expect(queue.details.foldedPriorities).toEqual([1, 2, 4, 5, 7, 8]);
    expect(queue.oldestAgeSec).not.toBeNull();
    expect(queue.consumers).toBeNull();
  });

  it('discovers a queue declared only by its kombu binding, and flags stray step lists', async () => {
    const q = name('disc');
    await redis.sadd(`_kombu.binding.${q}`, `${q}${SEP}${SEP}${q}`);
    await redis.lpush(`${q}${SEP}1`, '{"not": "visible to default-step workers"}');
    const broker = makeBroker();
    await broker.connect();
    const queue = (await broker.listQueues()).find((x) => x.name === q);
    expect(queue).toBeDefined();
    expect(queue!.depth).toBe(0);
    expect(queue!.warnings.join(' ')).toMatch(/1 message\(s\) sit in step lists outside steps \[0,3,6,9\]/);
  });

  it('decodes the messages real Celery wrote, in kombu order, and shows undecodable ones raw', async () => {
    const q = name('fixture');
    const fixture = JSON.parse(readFileSync(path.join(process.cwd(), 'test/fixtures/redis-default-steps.json'), 'utf8')) as {
      keys: Record<string, { type: string; value: unknown[] }>;
    };
    const keys: string[] = [];
    for (const [key, entry] of Object.entries(fixture.keys)) {
      if (entry.type !== 'list') continue;
      const target = key.replace(/^celery/, q).replace(/\\x06\\x16/g, SEP);
      keys.push(target);
      await redis.rpush(target, ...(entry.value as string[]));
    }
    await redis.lpush(q, 'not json at all');
    const broker = makeBroker({ queues: [{ name: q }] });
    await broker.connect();
    const page = await broker.browse(q, { limit: 500 });
    const order = await kombuPopOrder([q, `${q}${SEP}3`, `${q}${SEP}6`, `${q}${SEP}9`]);
    expect(page.messages).toHaveLength(order.length);
    const bad = page.messages.filter((m) => m.decodeError);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.raw).toBe('not json at all');
    const good = page.messages.filter((m) => !m.decodeError);
    expect(good).toHaveLength(13);
    expect(good.every((m) => m.task.startsWith('myapp.tasks.'))).toBe(true);
  });

  it('treats a lane group as one queue consumed lane after lane', async () => {
    const group = name('lanes');
    const [high, medium, low] = ['high', 'medium', 'low'].map((l) => `${group}-${l}`) as [string, string, string];
    const broker = makeBroker({
      laneGroups: [
        {
          name: group,
          lanes: [
            { queue: high, priorities: [0, 2] },
            { queue: medium, priorities: [3, 5] },
            { queue: low, priorities: [6, 9] },
          ],
        },
      ],
    });
    await broker.connect();
    await broker.enqueue(group, [9, 4, 0, 7, 2, 5].map((priority) => ({ priority, spec: { task: 't', args: [priority] } })));
    expect(await redis.llen(high)).toBe(2);
    expect(await redis.llen(`${medium}${SEP}3`)).toBe(2);
    expect(await redis.llen(`${low}${SEP}6`)).toBe(1);
    expect(await redis.llen(`${low}${SEP}9`)).toBe(1);
    const page = await broker.browse(group, { limit: 50 });
    expect(page.messages.map((m) => (m.args as number[])[0])).toEqual([0, 2, 4, 5, 7, 9]);
    const queue = (await broker.listQueues()).find((x) => x.name === group)!;
    expect(queue.lanes?.map((l) => l.depth)).toEqual([2, 2, 2]);
    expect(queue.depth).toBe(6);
    expect((await broker.listQueues()).some((x) => x.name === high)).toBe(false);
  });
});
