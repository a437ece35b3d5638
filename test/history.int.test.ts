import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { HistoryStore } from '@/lib/state/history';
import { stateKeys } from '@/lib/state/keys';
import { emptyByPriority } from '@/lib/shared/priority';
import { deleteKeysLike, rawRedis, uniqueName } from './support';

/** The backlog history store against real Redis, with injected timestamps (no waiting for a day to pass). */

const prefix = `${uniqueName('hist')}:`;
const DAY = 24 * 3600;
let redis: Redis;
let store: HistoryStore;

const depths = (values: Record<number, number>) => {
  const by = emptyByPriority();
  for (const [p, n] of Object.entries(values)) by[p] = n;
  return by;
};

beforeAll(() => {
  redis = rawRedis();
  store = new HistoryStore(redis, prefix, 10, DAY);
});

afterAll(async () => {
  await deleteKeysLike(redis, prefix);
  await redis.quit();
});

describe('HistoryStore', () => {
  it('stores identical consecutive samples as one run and reads them back per priority', async () => {
    const q = uniqueName('runs');
    const t0 = Math.floor(Date.now() / 10_000) * 10_000 - 600_000;
    for (let i = 0; i < 30; i++) await store.append(t0 + i * 10_000, [{ broker: 'redis', queue: q, byPriority: depths({ 0: 3, 6: 2 }) }]);
    for (let i = 30; i < 40; i++) await store.append(t0 + i * 10_000, [{ broker: 'redis', queue: q, byPriority: depths({ 9: 7 }) }]);
    const runs = await store.runs('redis', q);
    expect(runs.map((r) => r.count)).toEqual([30, 10]);
    // The raw encoding stays small: about 20 bytes per run.
    const raw = await redis.lrange(stateKeys(prefix).history('redis', q), 0, -1);
    expect(raw[0]).toMatch(/^[0-9a-z]+:30:3,,,,,,2,,,$/);

    const series = await store.read('redis', q, '15m', t0 + 39 * 10_000);
    expect(series.stepSec).toBe(10);
    expect(series.points).toHaveLength(40);
    expect(series.points[0]).toEqual({ t: t0, byPriority: depths({ 0: 3, 6: 2 }), depth: 5 });
    expect(series.points[39]).toEqual({ t: t0 + 390_000, byPriority: depths({ 9: 7 }), depth: 7 });
  });

  it('reads many queues in one call, each exactly as a single read would, in the order asked', async () => {
    const [a, b, never] = [uniqueName('many-a'), uniqueName('many-b'), uniqueName('many-none')];
    const t0 = Math.floor(Date.now() / 10_000) * 10_000 - 300_000;
    for (let i = 0; i < 20; i++) {
      await store.append(t0 + i * 10_000, [
        { broker: 'redis', queue: a, byPriority: depths({ 0: i }) },
        { broker: 'rabbitmq', queue: b, byPriority: depths({ 5: 100 - i, 9: 1 }) },
      ]);
    }
    const now = t0 + 19 * 10_000;
    const refs = [
      { broker: 'rabbitmq', queue: b },
      { broker: 'redis', queue: never },
      { broker: 'redis', queue: a },
    ];
    const many = await store.readMany(refs, '15m', now);
    expect(many).toEqual([await store.read('rabbitmq', b, '15m', now), await store.read('redis', never, '15m', now), await store.read('redis', a, '15m', now)]);
    expect(many[0]!.points.map((p) => p.depth)).toEqual(Array.from({ length: 20 }, (_, i) => 101 - i));
    expect(many[1]!.points).toEqual([]);
    expect(many[2]!.points.map((p) => p.depth)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await store.readMany([], '1h', now)).toEqual([]);
  });

  it('a second writer for the same interval changes nothing; a gap starts a new run', async () => {
    const q = uniqueName('idem');
    const t0 = Math.floor(Date.now() / 10_000) * 10_000 - 100_000;
    const sample = [{ broker: 'redis', queue: q, byPriority: depths({ 3: 1 }) }];
    expect(await store.append(t0, sample)).toBe(1);
    expect(await store.append(t0 + 3_000, sample)).toBe(0);
    expect(await store.append(t0 + 10_000, sample)).toBe(1);
    expect(await store.append(t0 + 50_000, sample)).toBe(1);
    expect((await store.runs('redis', q)).map((r) => r.count)).toEqual([2, 1]);
    const series = await store.read('redis', q, '15m', t0 + 60_000);
    // No point is invented for the unobserved 20..40 s.
    expect(series.points.map((p) => p.t - t0)).toEqual([0, 10_000, 50_000]);
  });

  it('keeps 24 h at 10 s resolution and trims what is older', async () => {
    const q = uniqueName('trim');
    const now = Math.floor(Date.now() / 10_000) * 10_000;
    const start = now - (DAY + 3600) * 1000;
    const pipelineBatch = 500;
    // 25 h of samples whose depth changes every interval (the worst case: one run per sample).
    for (let i = 0; start + i * 10_000 <= now; i += pipelineBatch) {
      await Promise.all(
        Array.from({ length: pipelineBatch }, (_, k) => start + (i + k) * 10_000)
          .filter((t) => t <= now)
          .map((t, k) => store.append(t, [{ broker: 'redis', queue: q, byPriority: depths({ 0: (i + k) % 2, 9: 1 }) }])),
      );
    }
    const runs = await store.runs('redis', q);
    const cutoffSec = now / 1000 - DAY;
    expect(runs[0]!.startSec + (runs[0]!.count - 1) * 10).toBeGreaterThanOrEqual(cutoffSec);
    expect(runs[0]!.startSec).toBeLessThanOrEqual(cutoffSec + 10);
    expect(runs.length).toBeGreaterThanOrEqual(DAY / 10);
    expect(runs.length).toBeLessThanOrEqual(DAY / 10 + 2);
    const bytes = Number(await redis.memory('USAGE', stateKeys(prefix).history('redis', q)));
    // Worst case (one run per sample): 8,641 samples in well under 256 KB per queue.
    expect(bytes).toBeLessThan(256 * 1024);

    const day = await store.read('redis', q, '24h', now);
    expect(day.stepSec).toBe(180);
    expect(day.points.length).toBeLessThanOrEqual(500);
    expect(day.points.length).toBeGreaterThanOrEqual(480);
    // Averaged over 18 samples alternating 0/1 at priority 0: rounds to 0 or 1; priority 9 stays 1.
    for (const point of day.points) {
      expect(point.byPriority['9']).toBe(1);
      expect(point.depth).toBe(Object.values(point.byPriority).reduce((a, b) => a + b, 0));
    }
    const hour = await store.read('redis', q, '1h', now);
    expect(hour.stepSec).toBe(10);
    expect(hour.points).toHaveLength(361);
  });
});
