import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRedis, uniqueName } from '@/test/support';
import { closeRedisControl, openRedisControl, executeInOrder, fillRedis, readRedis, stepKeyOf } from '@/test/control/helpers';
import type { RedisBroker } from '../redis-broker';

/**
 * The Redis control primitives against a real Redis: raw list contents are checked after
 * every operation (step, properties.priority, routing key, order, exact bytes).
 */

const base = uniqueName('rctl');
let redis: Redis;
let broker: RedisBroker;

beforeAll(async () => {
  ({ redis, broker } = await openRedisControl());
});
afterAll(() => closeRedisControl({ redis, broker }, base));

describe('RedisControl', () => {
  it('puts a whole queue at the front of another, batch after batch: original order, ahead of what the target held', async () => {
    const parked = `${base}-front-from`;
    const q = `${base}-front-to`;
    // Several lists, each longer than a batch, priorities sharing lists (1 and 2 with 0).
    const old = await fillRedis(redis, parked, [2, 1, 0, 1, 7, 2, 9, 6, 1, 0, 8, 2, 1, 4, 3]);
    const newer = await fillRedis(redis, q, [1, 6, 9, 0]);
    const oldOrder = (await readRedis(redis, parked)).map((e) => e.id);
    const result = await broker.control.relocate(parked, {}, { queue: q, priority: null, at: 'front' }, { batchSize: 2 });
    expect(result).toEqual({ matched: 15, moved: 15 });
    expect(await readRedis(redis, parked)).toEqual([]);
    const after = await readRedis(redis, q);
    const byStep = (ids: string[], step: number) => ids.filter((id) => after.find((e) => e.id === id)!.step === step);
    // Per list: the restored ones in their order, then the ones that were there.
    expect(after.map((e) => e.id)).toEqual([0, 3, 6, 9].flatMap((step) => [...byStep(oldOrder, step), ...byStep(newer, step)]));
    expect(after.map((e) => [e.id, e.routingKey])).toEqual(after.map((e) => [e.id, q]));
    expect(old).toHaveLength(15);
    // Nothing else is allowed at the front: a selection would reorder what stays.
    await expect(broker.control.relocate(q, { priorities: [1] }, { queue: parked, priority: null, at: 'front' })).rejects.toMatchObject({ code: 'INVALID' });
  });

  it('reprioritizes 10,000 messages: new step and priority, none lost or duplicated, FIFO kept, a worker executes them in the new order', async () => {
    const q = `${base}-reprio`;
    const urgent = await fillRedis(redis, q, Array(2000).fill(0));
    const low = await fillRedis(redis, q, Array(10_000).fill(9));
    const before = await readRedis(redis, q);

    const progress: number[] = [];
    const result = await broker.control.relocate(q, { priorities: [9] }, { queue: q, priority: 0 }, { onProgress: (p) => progress.push(p.moved) });
    expect(result).toMatchObject({ matched: 10_000, moved: 10_000 });
    expect(progress.length).toBeGreaterThanOrEqual(20); // bounded batches, reported one by one
    expect(progress.at(-1)).toBe(10_000);

    const after = await readRedis(redis, q);
    expect(await redis.llen(stepKeyOf(q, 9))).toBe(0);
    expect(after.every((e) => e.step === 0 && e.routingKey === q)).toBe(true);
    // FIFO: the urgent ones first (untouched, byte-identical), then the moved ones in their old order.
    expect(after.map((e) => e.id)).toEqual([...urgent, ...low]);
    expect(after.slice(0, 2000).map((e) => e.raw)).toEqual(before.slice(0, 2000).map((e) => e.raw));
    expect(after.slice(2000).every((e) => e.priority === 0)).toBe(true);

    // The worker's consumer (one slot) then executes them in exactly this order.
    expect(await executeInOrder(broker, q, 12_000, `${base}-state:`)).toEqual([...urgent, ...low]);
    expect(await readRedis(redis, q)).toHaveLength(0);
  });

  it('keeps bytes when a message stays in its step; rewrites only priority and routing key when it moves', async () => {
    const q = `${base}-bytes`;
    const q2 = `${base}-bytes2`;
    await fillRedis(redis, q, [4, 5]);
    const before = await readRedis(redis, q);
    // 4 → 3: same step with kombu's default steps: nothing to move.
    expect(await broker.control.relocate(q, {}, { queue: q, priority: 3 })).toMatchObject({ matched: 2, moved: 0 });
    expect((await readRedis(redis, q)).map((e) => e.raw)).toEqual(before.map((e) => e.raw));

    await fillRedis(redis, q2, []);
    expect(await broker.control.relocate(q, {}, { queue: q2, priority: null })).toMatchObject({ matched: 2, moved: 2 });
    const moved = await readRedis(redis, q2);
    expect(moved.map((e) => e.id)).toEqual(before.map((e) => e.id));
    for (const [i, entry] of moved.entries()) {
      const original = JSON.parse(before[i]!.raw) as { properties: { delivery_info: { routing_key: string } } };
      original.properties.delivery_info.routing_key = q2;
      expect(JSON.parse(entry.raw)).toEqual(original);
      expect(entry.step).toBe(3);
    }
  });

  it('moves every copy of a duplicated id, and reports ids it found', async () => {
    const q = `${base}-dup`;
    const [id] = await fillRedis(redis, q, [6]);
    const [raw] = await redis.lrange(stepKeyOf(q, 6), 0, 0);
    await redis.lpush(stepKeyOf(q, 6), raw!);
    await fillRedis(redis, q, [6, 6]);
    const dry = await broker.control.relocate(q, { ids: [id!, 'nope'] }, { queue: q, priority: 0 }, { dryRun: true });
    expect(dry).toMatchObject({ matched: 2, moved: 0, foundIds: [id] });
    expect(await redis.llen(stepKeyOf(q, 0))).toBe(0);
    expect(await broker.control.relocate(q, { ids: [id!] }, { queue: q, priority: 0 })).toMatchObject({ matched: 2, moved: 2 });
    expect(await redis.lrange(stepKeyOf(q, 0), 0, -1)).toHaveLength(2);
    expect(await redis.llen(stepKeyOf(q, 6))).toBe(2);
  });

  it('drains while consumers pop: every message is consumed or drained, exactly once', async () => {
    const q = `${base}-busy`;
    const ids = await fillRedis(redis, q, Array.from({ length: 20_000 }, (_, i) => [0, 3, 6, 9][i % 4]!));
    await broker.control.prepareTarget(`${q}.drained`, { create: true });
    const consumers = popWhile([stepKeyOf(q, 0), stepKeyOf(q, 3), stepKeyOf(q, 6), stepKeyOf(q, 9)], 2);
    const result = await broker.control.relocate(q, {}, { queue: `${q}.drained`, priority: null }, { batchSize: 200 });
    const consumed = await consumers.stop();
    const drained = (await readRedis(redis, `${q}.drained`)).map((e) => e.id);
    expect(result.moved).toBe(drained.length);
    expect(consumed.length).toBeGreaterThan(0);
    const all = [...consumed, ...drained, ...(await readRedis(redis, q)).map((e) => e.id)];
    expect(all.length).toBe(ids.length); // nothing twice
    expect(new Set(all)).toEqual(new Set(ids)); // nothing lost
  });

  it('a filtered move while consumers pop leaves no selected message behind and loses none', async () => {
    const q = `${base}-filtered`;
    const target = `${base}-filtered-to`;
    const ids = await fillRedis(redis, q, Array.from({ length: 12_000 }, () => 6), 'mixed');
    // Every third message is not selected: it stays at the tail while consumers pop around it.
    const selectedIds = ids.filter((_, i) => i % 3 !== 0);
    await broker.control.prepareTarget(target, { create: true });
    const consumers = popWhile([stepKeyOf(q, 6)], 1);
    const result = await broker.control.relocate(q, { ids: selectedIds }, { queue: target, priority: null }, { batchSize: 100 });
    const consumed = await consumers.stop();
    const moved = (await readRedis(redis, target)).map((e) => e.id);
    const left = (await readRedis(redis, q)).map((e) => e.id);
    expect(result.moved).toBe(moved.length);
    expect(consumed.length).toBeGreaterThan(0);
    const selected = new Set(selectedIds);
    expect(left.filter((id) => selected.has(id))).toEqual([]); // none skipped over
    const everything = [...consumed, ...moved, ...left];
    expect(everything.length).toBe(ids.length);
    expect(new Set(everything)).toEqual(new Set(ids));
  });

  it('extract hands batches to the sink before removing them, and deletes without one', async () => {
    const q = `${base}-extract`;
    const ids = await fillRedis(redis, q, [0, 3, 9], 'a.task');
    await fillRedis(redis, q, [0], 'b.task');
    const seen: string[] = [];
    const result = await broker.control.extract(q, { task: 'a.task' }, {
      write: async (batch) => {
        // Still in the queue while the sink stores them.
        expect(await redis.llen(stepKeyOf(q, 9))).toBe(1);
        seen.push(...batch.map((m) => m.id!));
      },
    });
    expect(result).toMatchObject({ matched: 3, moved: 3 });
    expect(seen).toEqual(ids);
    expect((await readRedis(redis, q)).length).toBe(1);
    expect(await broker.control.extract(q, {}, null)).toMatchObject({ moved: 1 });
    expect((await readRedis(redis, q)).length).toBe(0);
  });
});

/** `count` raw consumers popping (BRPOP) these lists until stopped; `stop()` returns the task ids they took. */
function popWhile(keys: string[], count: number): { stop: () => Promise<string[]> } {
  const consumed: string[] = [];
  let running = true;
  const consumer = async () => {
    const c = rawRedis();
    try {
      while (running) {
        const got = await c.brpop(...keys, 0.05);
        if (got) consumed.push((JSON.parse(got[1]) as { headers: { id: string } }).headers.id);
      }
    } finally {
      c.disconnect();
    }
  };
  const consumers = Array.from({ length: count }, consumer);
  return {
    stop: async () => {
      running = false;
      await Promise.all(consumers);
      return consumed;
    },
  };
}
