import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import * as batchRoute from '@/app/api/v1/history/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { resetRuntime } from '@/lib/server/runtime';
import { getSampler, stopSampler } from '@/lib/server/sampler';
import { ALL_STEPS } from '@/lib/shared/priority';
import { call, writeTestConfig } from './api-client';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';

/** GET /api/v1/history: every queue's backlog series in one answer, from the sampler's stored history. */

const prefix = `${uniqueName('bh')}:`;
const [a, b] = [uniqueName('bh-a'), uniqueName('bh-b')];
let redis: Redis;

interface Batch {
  range: string;
  stepSec: number;
  queues: { broker: string; queue: string; points: [number, number][] }[];
}

beforeAll(async () => {
  redis = rawRedis();
  writeTestConfig({
    brokers: [
      {
        id: 'redis',
        kind: 'redis',
        url: REDIS_URL,
        queues: [
          { name: a, steps: [...ALL_STEPS] },
          { name: b, steps: [...ALL_STEPS] },
        ],
        discover: false,
      },
    ],
    stateRedisUrl: REDIS_URL,
    statePrefix: prefix,
    sampler: { historyIntervalSec: 1, liveIntervalMs: 250 },
  });
  await getSampler({ history: true });
});

afterAll(async () => {
  stopSampler();
  await resetRuntime();
  await deleteKeysLike(redis, a, b, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

const last = (batch: Batch, queue: string) => batch.queues.find((q) => q.queue === queue)?.points.at(-1)?.[1];

describe('GET /api/v1/history', () => {
  it('answers every queue of the live listing with its total depth over time', async () => {
    const res = await call(tasks.POST, 'POST', `/api/v1/queues/redis/${a}/tasks`, { broker: 'redis', queue: a }, { task: 'bh.test', priority: 2, count: 3 });
    expect(res.status).toBe(201);
    let batch: Batch | null = null;
    await waitFor(
      'both queues sampled, a at depth 3',
      async () => {
        batch = (await call<Batch>(batchRoute.GET, 'GET', '/api/v1/history?range=15m')).body;
        return last(batch, a) === 3 && last(batch, b) === 0;
      },
      30_000,
    );
    const answer = batch! as Batch;
    expect(answer.range).toBe('15m');
    // 15 min of 1 s samples, averaged into at most 500 points: 2 s steps.
    expect(answer.stepSec).toBe(2);
    expect(answer.queues.map((q) => `${q.broker}/${q.queue}`).sort()).toEqual([`redis/${a}`, `redis/${b}`].sort());
    const points = answer.queues.find((q) => q.queue === a)!.points;
    // Oldest first, one total per step, never more than the queue held.
    expect(points.map(([t]) => t)).toEqual([...points.map(([t]) => t)].sort((x, y) => x - y));
    expect(points.every(([, depth]) => depth >= 0 && depth <= 3)).toBe(true);
  });

  it('refuses an unknown range with a 400 naming it', async () => {
    const res = await call<{ error: { code: string; message: string } }>(batchRoute.GET, 'GET', '/api/v1/history?range=2d');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/range/);
  });
});
