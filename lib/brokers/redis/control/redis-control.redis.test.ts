import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@/test/support';
import { closeRedisControl, openRedisControl, fillRedis, readRedis, stepKeyOf } from '@/test/control/helpers';
import type { RedisBroker } from '../redis-broker';

/**
 * The Redis control primitives where kombu's layout shows: raw list contents (step,
 * properties.priority, routing key, exact bytes) after moves within and across step lists,
 * and duplicated copies of one id. What both kinds share is in test/contract/control.int.test.ts.
 */

const base = uniqueName('rctl');
let redis: Redis;
let broker: RedisBroker;

beforeAll(async () => {
  ({ redis, broker } = await openRedisControl());
});
afterAll(() => closeRedisControl({ redis, broker }, base));

describe('RedisControl', () => {
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

});
