import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@/test/api-client';
import { redisTarget } from '@/test/contract/redis-target';
import { uniqueName } from '@/test/support';
import type { Queue } from '@/lib/shared/types';
import { WaitTimeStore } from '@/lib/state/wait-times';
import { WorkerHarness } from './test-harness';

/**
 * Wait time per priority, end to end: a real worker at concurrency 1 drains a backlog of P0
 * and P9 tasks; the queue API, the overview listing and /metrics report what it recorded.
 */
const q = uniqueName('waits');
const h = new WorkerHarness(redisTarget, { queues: [{ name: q }] });
process.env.TRIAGE_CONFIG = h.configPath;
process.env.TRIAGE_STATE_PREFIX = h.statePrefix;

type Routes = {
  queue: typeof import('@/app/api/v1/queues/[broker]/[queue]/route');
  queues: typeof import('@/app/api/v1/queues/route');
  metrics: typeof import('@/app/metrics/route');
  runtime: typeof import('@/lib/server/runtime');
};
let routes: Routes;

beforeAll(async () => {
  routes = {
    queue: await import('@/app/api/v1/queues/[broker]/[queue]/route'),
    queues: await import('@/app/api/v1/queues/route'),
    metrics: await import('@/app/metrics/route'),
    runtime: await import('@/lib/server/runtime'),
  };
});
afterAll(async () => {
  await routes.runtime.resetRuntime();
  await h.cleanup();
});

const URGENT = 5;
const BULK = 20;

describe('wait time per priority', () => {
  it('shows urgent work served first: P0 p95 < P9 p50, and /metrics counts every start', async () => {
    const broker = await h.broker();
    // Paused while the backlog builds, so the worker's start-up time is no part of any wait.
    await h.pauses.pause(h.brokerId, q, 'test');
    await h.spawnWorker({ queues: [q], concurrency: 1 });
    // The bulk first: a FIFO queue would serve it before the urgent tasks.
    const task = { task: 'triage.tasks.sleep', args: [150] };
    await broker.enqueue(q, Array.from({ length: BULK }, () => ({ priority: 9, spec: task })));
    await broker.enqueue(q, Array.from({ length: URGENT }, () => ({ priority: 0, spec: task })));
    await h.pauses.resume(h.brokerId, q);
    await h.succeeded(q, URGENT + BULK);

    const detail = await call<Queue>(routes.queue.GET, 'GET', `/api/v1/queues/redis/${q}`, { broker: 'redis', queue: q });
    expect(detail.status).toBe(200);
    const waits = detail.body.waitTimes!;
    expect(waits.windowSec).toBe(900);
    expect(waits.levels['0']!.count).toBe(URGENT);
    expect(waits.levels['9']!.count).toBe(BULK);
    expect(waits.levels['0']!.p95).toBeLessThan(waits.levels['9']!.p50);
    expect(Object.keys(waits.levels).sort()).toEqual(['0', '9']);
    expect(waits.bands).toMatchObject({ high: { count: URGENT }, low: { count: BULK } });

    // The overview listing carries the same numbers (read for all queues in one round trip).
    const list = await call<{ queues: Queue[] }>(routes.queues.GET, 'GET', '/api/v1/queues');
    const listed = list.body.queues.find((x) => x.name === q)!;
    expect(listed.waitTimes).toEqual(waits);

    const metrics = await routes.metrics.GET(new Request('http://localhost/metrics', { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } }));
    const text = await metrics.text();
    const count = (priority: number) => Number(new RegExp(`^triage_task_wait_seconds_count\\{broker="redis",queue="${q}",priority="${priority}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    expect(count(0)).toBe(URGENT);
    expect(count(9)).toBe(BULK);
    const inf = new RegExp(`^triage_task_wait_seconds_bucket\\{broker="redis",queue="${q}",priority="9",le="\\+Inf"\\} (\\d+)$`, 'm').exec(text)?.[1];
    expect(Number(inf)).toBe(BULK);
  });

  it('leaves out waits older than the 15-minute window', async () => {
    const store = new WaitTimeStore(h.state, h.statePrefix);
    const now = Date.now();
    const other = uniqueName('waits-old');
    await store.record([
      { broker: 'redis', queue: other, priority: 3, waitSec: 1, startedAtMs: now - 16 * 60_000 },
      { broker: 'redis', queue: other, priority: 3, waitSec: 2, startedAtMs: now - 14 * 60_000 },
      { broker: 'redis', queue: other, priority: 3, waitSec: 4, startedAtMs: now },
    ]);
    const window = await store.window(['redis'], now);
    const histogram = window.get(`redis/${other}`)!.get(3)!;
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(2);
    const totals = await store.totals(['redis']);
    expect(totals.find((t) => t.queue === other)).toMatchObject({ priority: 3, sumSec: 7 });
  });
});
