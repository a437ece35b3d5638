import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '@/test/api-client';
import { uniqueName, waitFor } from '@/test/support';
import { WorkerStore } from '@/lib/state/worker-store';
import { WorkerHarness } from './test-harness';
import { redisTarget } from '@/test/contract/redis-target';

/** GET /api/v1/workers and GET /api/v1/tasks/{id} over what a real worker wrote. */
const q = uniqueName('w-api');
const h = new WorkerHarness(redisTarget, { queues: [{ name: q }] });
process.env.TRIAGE_CONFIG = h.configPath;
process.env.TRIAGE_STATE_PREFIX = h.statePrefix;

type Routes = {
  workers: typeof import('@/app/api/v1/workers/route');
  task: typeof import('@/app/api/v1/tasks/[id]/route');
  runtime: typeof import('@/lib/server/runtime');
};
let routes: Routes;

beforeAll(async () => {
  routes = {
    workers: await import('@/app/api/v1/workers/route'),
    task: await import('@/app/api/v1/tasks/[id]/route'),
    runtime: await import('@/lib/server/runtime'),
  };
});
afterAll(async () => {
  await routes.runtime.resetRuntime();
  await h.cleanup();
});

describe('worker API', () => {
  it('lists live workers and serves task timelines', async () => {
    const broker = await h.broker();
    await h.spawnWorker({ queues: [q], concurrency: 3 });
    const [ok, failing] = await broker.enqueue(q, [
      { priority: 2, spec: { task: 'myapp.tasks.send_otp', args: ['+15551234567'] } },
      { priority: 7, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_rate: 1, max_retries: 1 } } },
    ]);
    await waitFor('both settled', async () => (await h.taskEvents('task.succeeded', q)).length === 1 && (await h.taskEvents('task.dead', q)).length === 1, 20_000);

    const workers = await call<{ workers: Record<string, unknown>[] }>(routes.workers.GET, 'GET', '/api/v1/workers');
    expect(workers.status).toBe(200);
    const [worker] = workers.body.workers;
    expect(worker).toMatchObject({ broker: 'redis', queues: [q], concurrency: 3, prefetch: 1, paused: false, stale: false, active: 0 });
    for (const field of ['id', 'hostname', 'pid', 'processed', 'failed', 'startedAt', 'lastHeartbeatAt']) expect(worker).toHaveProperty(field);

    const task = await call<Record<string, unknown>>(routes.task.GET, 'GET', `/api/v1/tasks/${ok}`, { id: ok! });
    expect(task.status).toBe(200);
    // Its own priority, and the level it was stored under (kombu's default steps keep 0–2 in one list).
    expect(task.body).toMatchObject({ id: ok, task: 'myapp.tasks.send_otp', broker: 'redis', queue: q, priority: 2, storedWith: [0, 2], state: 'succeeded' });
    // The envelope as received, for the task page (the message is gone once acknowledged).
    expect(task.body).toMatchObject({ args: ['+15551234567'], kwargs: {}, eta: null, origin: expect.any(String), enqueuedAt: expect.any(String) });
    expect((task.body.history as { state: string }[]).map((x) => x.state)).toEqual(['active', 'succeeded']);

    const dead = await call<Record<string, unknown>>(routes.task.GET, 'GET', `/api/v1/tasks/${failing}`, { id: failing! });
    expect(dead.body).toMatchObject({ state: 'dead', priority: 7, storedWith: [6, 8], kwargs: { fail_rate: 1, max_retries: 1 } });
    expect(String(dead.body.error)).toMatch(/upstream unavailable/);
    expect((dead.body.history as { state: string }[]).map((x) => x.state)).toEqual(['active', 'failed', 'retrying', 'active', 'failed', 'dead']);

    const missing = await call<{ error: { code: string } }>(routes.task.GET, 'GET', '/api/v1/tasks/nope', { id: 'nope' });
    expect(missing.status).toBe(404);
    // A page following a task it expects to appear asks without a 404 in the browser's console.
    const unseen = await call(routes.task.GET, 'GET', '/api/v1/tasks/nope?missing=empty', { id: 'nope' });
    expect(unseen).toEqual({ status: 200, body: { id: 'nope', unseen: true } });
    const known = await call<Record<string, unknown>>(routes.task.GET, 'GET', `/api/v1/tasks/${failing}?missing=empty`, { id: failing! });
    expect(known.body).toMatchObject({ id: failing, state: 'dead' });
    expect((await call(routes.task.GET, 'GET', '/api/v1/tasks/nope?missing=yes', { id: 'nope' })).status).toBe(400);
  });

  it('flags a worker that stopped sending heartbeats as stale', async () => {
    const store = new WorkerStore(h.state, h.statePrefix);
    const old = new Date(Date.now() - 10_000).toISOString();
    await store.put({
      id: 'ghost', hostname: 'h', pid: 1, broker: 'redis', queues: [q], concurrency: 1, prefetch: 1, active: 1, processed: 0, failed: 0,
      paused: false, pausedQueues: [], state: 'online', startedAt: old, lastHeartbeatAt: old, heartbeatIntervalMs: 2000,
    });
    const workers = await call<{ workers: { id: string; stale: boolean }[] }>(routes.workers.GET, 'GET', '/api/v1/workers');
    expect(workers.body.workers.find((w) => w.id === 'ghost')?.stale).toBe(true);
  });
});
