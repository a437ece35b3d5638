import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import * as waitRoute from '@/app/api/v1/queues/[broker]/[queue]/wait-times/route';
import { resetRuntime } from '@/lib/server/runtime';
import type { QueueWaitSeries } from '@/lib/shared/wait-times';
import { WaitTimeStore } from '@/lib/state/wait-times';
import { call, writeTestConfig } from './api-client';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';

/** GET /api/v1/queues/{broker}/{queue}/wait-times: the queue page's wait chart, minute by minute. */

const prefix = `${uniqueName('ws')}:`;
const plain = uniqueName('ws-plain');
const group = uniqueName('ws-lanes');
const [high, low] = [`${group}-high`, `${group}-low`];
let redis: Redis;

beforeAll(async () => {
  redis = rawRedis();
  writeTestConfig({
    brokers: [
      {
        id: 'redis',
        kind: 'redis',
        url: REDIS_URL,
        // kombu's default steps: priorities 1 and 2 are stored with 0.
        queues: [{ name: plain, steps: [0, 3, 6, 9] }],
        laneGroups: [{ name: group, lanes: [{ queue: high, priorities: [0, 4] }, { queue: low, priorities: [5, 9] }] }],
        discover: false,
      },
    ],
    stateRedisUrl: REDIS_URL,
    statePrefix: prefix,
  });
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, plain, group, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

const path = (queue: string) => `/api/v1/queues/redis/${encodeURIComponent(queue)}/wait-times`;

describe('GET /api/v1/queues/{broker}/{queue}/wait-times', () => {
  it('answers every minute of the last 15, oldest first, with p50/p95 per level and band of the tasks started in it', async () => {
    const now = Date.now();
    const minute = Math.floor(now / 60_000) * 60_000;
    const waits = new WaitTimeStore(redis, prefix);
    await waits.record([
      // Three minutes ago: two priority-1 tasks (level 0) waited 0.2 s and 0.3 s.
      { broker: 'redis', queue: plain, priority: 1, waitSec: 0.2, startedAtMs: minute - 3 * 60_000 + 1000 },
      { broker: 'redis', queue: plain, priority: 2, waitSec: 0.3, startedAtMs: minute - 3 * 60_000 + 2000 },
      // This minute: a priority-7 task (level 6) waited 40 s.
      { broker: 'redis', queue: plain, priority: 7, waitSec: 40, startedAtMs: now },
      // Another queue's wait is not this queue's.
      { broker: 'redis', queue: `${plain}-other`, priority: 1, waitSec: 900, startedAtMs: now },
    ]);
    const res = await call<QueueWaitSeries>(waitRoute.GET, 'GET', path(plain), { broker: 'redis', queue: plain });
    expect(res.status).toBe(200);
    const series = res.body;
    expect(series.windowSec).toBe(900);
    expect(series.stepSec).toBe(60);
    expect(series.points).toHaveLength(15);
    // Consecutive minutes ending with the current one (found by time: a minute may have turned since `now`).
    const last = series.points.at(-1)!.t;
    expect(series.points.map((p) => p.t)).toEqual(Array.from({ length: 15 }, (_, i) => last - (14 - i) * 60_000));
    const threeAgo = series.points.find((p) => p.t === minute - 3 * 60_000)!;
    expect(Object.keys(threeAgo.levels)).toEqual(['0']);
    expect(threeAgo.levels['0']!.count).toBe(2);
    // Both waits fall in the 0.25–0.5 s bucket or below it: p95 within it.
    expect(threeAgo.levels['0']!.p95).toBeGreaterThan(0.25);
    expect(threeAgo.levels['0']!.p95).toBeLessThanOrEqual(0.5);
    expect(threeAgo.bands).toEqual({ high: threeAgo.levels['0'] });
    const current = series.points.find((p) => p.t === minute)!;
    expect(Object.keys(current.levels)).toEqual(['6']);
    expect(current.levels['6']!.count).toBe(1);
    expect(current.levels['6']!.p50).toBeGreaterThan(30);
    expect(current.levels['6']!.p50).toBeLessThanOrEqual(60);
    expect(Object.keys(current.bands)).toEqual(['low']);
    // Minutes without a start are present and empty, so the chart's axis has no holes.
    expect(series.points.filter((p) => Object.keys(p.levels).length === 0)).toHaveLength(13);
  });

  it('gives a lane group the waits recorded on its lanes', async () => {
    const now = Date.now();
    await new WaitTimeStore(redis, prefix).record([
      { broker: 'redis', queue: high, priority: 0, waitSec: 0.01, startedAtMs: now },
      { broker: 'redis', queue: low, priority: 9, waitSec: 120, startedAtMs: now },
    ]);
    const res = await call<QueueWaitSeries>(waitRoute.GET, 'GET', path(group), { broker: 'redis', queue: group });
    expect(res.status).toBe(200);
    const current = res.body.points.at(-1)!;
    expect(Object.keys(current.levels).sort()).toEqual(['0', '9']);
    expect(current.levels['0']!.count).toBe(1);
    expect(current.levels['9']!.count).toBe(1);
  });

  it('answers 404 for a queue the broker does not have', async () => {
    const missing = uniqueName('ws-none');
    const res = await call<{ error: { code: string; message: string } }>(waitRoute.GET, 'GET', path(missing), { broker: 'redis', queue: missing });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(missing);
  });
});
