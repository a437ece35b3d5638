import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisBrokerConfigSchema } from './config';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from '@/test/support';
import { restoreExpired } from './restore';
import { scripts } from './scripts';

/**
 * kombu-compatible in-flight bookkeeping: the atomic take writes exactly kombu's unacked
 * layout, and the restore puts a message back at its own priority (not kombu < 5.4's
 * top-priority list), at the consuming end, marked redelivered, under kombu's mutex.
 */
let redis: Redis;
const names: string[] = [];

beforeAll(() => {
  redis = rawRedis();
});
afterEach(async () => {
  await deleteKeysLike(redis, ...names.splice(0));
});
afterAll(async () => {
  await redis.quit();
});

function setup() {
  const id = uniqueName('restore');
  names.push(id);
  const config = RedisBrokerConfigSchema.parse({
    id: 'redis',
    kind: 'redis',
    url: REDIS_URL,
    visibilityTimeoutSec: 60,
    unackedKey: `${id}-unacked`,
    unackedIndexKey: `${id}-unacked_index`,
    unackedMutexKey: `${id}-unacked_mutex`,
  });
  return { q: `${id}-q`, config };
}

const SEP = '\x06\x16';

describe('atomic take', () => {
  it('pops the most urgent list and records kombu’s exact unacked entry in the same step', async () => {
    const { q, config } = setup();
    const low = toRedisPayload(buildTaskMessage({ task: 't.low' }, 9), { routingKey: q });
    const high = toRedisPayload(buildTaskMessage({ task: 't.high' }, 3), { routingKey: q });
    await redis.lpush(`${q}${SEP}9`, low);
    await redis.lpush(`${q}${SEP}3`, high);
    const before = Date.now() / 1000;
    const taken = (await scripts(redis)['consume-take'](
      [config.unackedKey, config.unackedIndexKey, q, `${q}${SEP}3`, `${q}${SEP}6`, `${q}${SEP}9`],
      [String(Date.now() / 1000), randomUUID(), '1', '0', q, q, q, q],
    )) as [number, string, string];
    expect(taken[0]).toBe(4);
    expect(taken[1]).toBe(high);
    const tag = (JSON.parse(high) as { properties: { delivery_tag: string } }).properties.delivery_tag;
    expect(taken[2]).toBe(tag);
    // kombu: hash tag → JSON [payload object, exchange, routing_key]; payload byte-exact.
    expect(await redis.hget(config.unackedKey, tag)).toBe(`[${high},"","${q}"]`);
    expect(Number(await redis.zscore(config.unackedIndexKey, tag))).toBeGreaterThanOrEqual(Math.floor(before));
    expect(await redis.llen(`${q}${SEP}3`)).toBe(0);
  });

  const take = (config: ReturnType<typeof setup>['config'], lists: string[], count: number, acks: string[] = [], prefix: string = randomUUID()) =>
    scripts(redis)['consume-take'](
      [config.unackedKey, config.unackedIndexKey, ...lists],
      [String(Date.now() / 1000), prefix, String(count), String(acks.length), ...acks, ...lists.map(() => 'routed')],
    ) as Promise<(number | string)[]>;

  it('takes a batch in strict priority order across lists, acking the given tags first', async () => {
    const { q, config } = setup();
    const lists = [q, `${q}${SEP}3`, `${q}${SEP}6`];
    const payload = (p: number, n: number) => toRedisPayload(buildTaskMessage({ task: `t.${p}.${n}` }, p), { routingKey: q });
    const urgent = [payload(0, 1), payload(0, 2)];
    const middle = [payload(3, 1)];
    const late = [payload(6, 1), payload(6, 2)];
    // LPUSH + RPOP: the first pushed is the first taken.
    await redis.lpush(lists[0]!, ...urgent);
    await redis.lpush(lists[1]!, ...middle);
    await redis.lpush(lists[2]!, ...late);
    const first = await take(config, lists, 4);
    expect(first.filter((_, i) => i % 3 === 1)).toEqual([...urgent, ...middle, late[0]]);
    expect(first.filter((_, i) => i % 3 === 0)).toEqual([3, 3, 4, 5]);
    const tags = first.filter((_, i) => i % 3 === 2) as string[];
    expect(await redis.hlen(config.unackedKey)).toBe(4);
    expect(await redis.hget(config.unackedKey, tags[2]!)).toBe(`[${middle[0]},"","routed"]`);
    // Asking for more than is left returns what there is; the acks happen either way.
    const second = await take(config, lists, 3, tags.slice(0, 3));
    expect(second).toHaveLength(3);
    expect(second[1]).toBe(late[1]);
    expect((await redis.hkeys(config.unackedKey)).sort()).toEqual([tags[3], second[2]].sort());
    expect(await redis.zcard(config.unackedIndexKey)).toBe(2);
    expect(await take(config, lists, 2, [tags[3]!, second[2] as string])).toEqual([]);
    expect(await redis.hlen(config.unackedKey)).toBe(0);
  });

  it('keeps foreign and broken payloads recoverable: decoded tag, or a fresh one, and a valid kombu entry', async () => {
    const { q, config } = setup();
    // Key order unlike kombu's (the tag is not last): read by decoding.
    const foreign = JSON.stringify({ properties: { delivery_tag: 'foreign-tag', priority: 0 }, body: 'e30=' });
    const tagless = JSON.stringify({ body: 'e30=', properties: {} });
    const broken = '{"body": "not json';
    await redis.lpush(q, foreign, tagless, broken);
    const taken = await take(config, [q], 3, [], 'pfx');
    expect(taken.filter((_, i) => i % 3 === 2)).toEqual(['foreign-tag', 'pfx:2', 'pfx:3']);
    const entries = await redis.hgetall(config.unackedKey);
    expect(JSON.parse(entries['foreign-tag']!)).toEqual([JSON.parse(foreign), '', 'routed']);
    expect(JSON.parse(entries['pfx:2']!)).toEqual([JSON.parse(tagless), '', 'routed']);
    // Kept as a JSON string so kombu's restore can still load the entry.
    expect(JSON.parse(entries['pfx:3']!)).toEqual([broken, '', 'routed']);
  });
});

describe('visibility-timeout restore', () => {
  async function putInFlight(config: ReturnType<typeof setup>['config'], q: string, priority: number, ageSec: number) {
    const payload = toRedisPayload(buildTaskMessage({ task: 't.restore' }, priority), { routingKey: q });
    const tag = (JSON.parse(payload) as { properties: { delivery_tag: string } }).properties.delivery_tag;
    await redis.hset(config.unackedKey, tag, `[${payload},"","${q}"]`);
    await redis.zadd(config.unackedIndexKey, Date.now() / 1000 - ageSec, tag);
    return tag;
  }

  it('puts an expired message back at its own priority, at the consuming end, marked redelivered', async () => {
    const { q, config } = setup();
    await redis.lpush(`${q}${SEP}9`, 'waiting-1');
    const tag = await putInFlight(config, q, 9, 120);
    const fresh = await putInFlight(config, q, 0, 5);
    expect(await restoreExpired(redis, config)).toEqual({ restored: 1, skipped: 0 });
    expect(await redis.llen(q)).toBe(0); // not the top-priority list (kombu < 5.4's bug)
    const list = await redis.lrange(`${q}${SEP}9`, 0, -1);
    expect(list[0]).toBe('waiting-1');
    const restored = JSON.parse(list[1]!) as { headers: Record<string, unknown>; properties: { delivery_tag: string; priority: number; delivery_info: Record<string, unknown> } };
    expect(restored.properties.delivery_tag).toBe(tag);
    expect(restored.headers.redelivered).toBe(true);
    expect(restored.properties.delivery_info.redelivered).toBe(true);
    expect(await redis.hkeys(config.unackedKey)).toEqual([fresh]);
    expect(await redis.zrange(config.unackedIndexKey, '0', '-1')).toEqual([fresh]);
    expect(await redis.exists(config.unackedMutexKey)).toBe(0);
  });

  it('leaves everything alone while another worker (Celery or Triage) holds unacked_mutex', async () => {
    const { q, config } = setup();
    await putInFlight(config, q, 5, 120);
    await redis.set(config.unackedMutexKey, 'celery-token', 'PX', '10000', 'NX');
    expect(await restoreExpired(redis, config)).toEqual({ restored: 0, skipped: 0 });
    expect(await redis.hlen(config.unackedKey)).toBe(1);
    expect(await redis.get(config.unackedMutexKey)).toBe('celery-token');
  });
});
