import { describe, expect, it } from 'vitest';
import * as consumerRoute from '@/app/api/v1/workers/[id]/consumer/route';
import * as poolRoute from '@/app/api/v1/workers/[id]/pool/route';
import * as shutdownRoute from '@/app/api/v1/workers/[id]/shutdown/route';
import * as rateLimitRoute from '@/app/api/v1/workers/[id]/rate-limit/route';
import * as tasksRoute from '@/app/api/v1/workers/[id]/tasks/route';
import * as timeLimitRoute from '@/app/api/v1/workers/[id]/time-limit/route';
import type { WorkerControlResult, WorkerTasks } from '@/lib/control/worker-control';
import { celeryWorkerId } from '@/lib/celery/events';
import { resetRuntime } from '@/lib/server/runtime';
import { call, writeTestConfig } from '../api-client';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '../support';
import { activeQueues, celery, executions, inspectWorker, produce, startWorker, stopWorker, type ProbeEnv } from './celery';
import { apiEnqueue, interopScratch, logFile } from './interop-harness';

/**
 * Worker control (issue 19 §4) of real Celery 5.2 workers through Triage's API, on both
 * brokers: every effect is read back with Celery's own `celery inspect`, or from when the
 * worker ran tasks.
 */

const { names: scratchNames, rabbitQueues } = interopScratch();

interface Case {
  broker: 'redis' | 'rabbitmq';
  url: string;
}

const CASES: Case[] = [
  { broker: 'redis', url: REDIS_URL },
  { broker: 'rabbitmq', url: AMQP_URL },
];

function setup(c: Case): { queue: string; hostname: string; id: string; probe: ProbeEnv } {
  const queue = uniqueName(`wctl-${c.broker}`);
  if (c.broker === 'redis') {
    scratchNames.push(queue);
    writeTestConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] }] });
  } else {
    rabbitQueues.push(queue);
    writeTestConfig({ brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: queue, maxPriority: 10 }] }] });
  }
  const hostname = `${queue}@triage-test`;
  return { queue, hostname, id: celeryWorkerId(c.broker, hostname), probe: { PROBE_BROKER_URL: c.url, PROBE_QUEUE: queue, PROBE_LOG: logFile(), PROBE_MAX_PRIORITY: '10' } };
}

type Route = { POST: Parameters<typeof call>[0] };

async function command(route: Route, name: string, id: string, body: unknown) {
  return call<WorkerControlResult>(route.POST, 'POST', `/api/v1/workers/${encodeURIComponent(id)}/${name}`, { id }, body);
}

interface Stats {
  pool?: { processes?: number[] };
}

describe.skipIf(!celery.ok)(`worker control of real Celery workers (${celery.reason})`, () => {
  describe.each(CASES)('on $broker', (c) => {
    it('grows and shrinks the pool: the worker answers, and `inspect stats` shows the processes', async () => {
      await resetRuntime();
      const { hostname, id, probe } = setup(c);
      const worker = startWorker(probe, { hostname, concurrency: 1 });
      try {
        await waitFor('the worker to answer', () => inspectWorker<Stats>(probe, hostname, 'stats')?.pool?.processes?.length === 1, 60_000, 500);
        const grown = await command(poolRoute, 'pool', id, { grow: 2 });
        expect(grown.status).toBe(200);
        expect(grown.body).toMatchObject({ worker: id, broker: c.broker, replies: [{ command: 'pool_grow', answered: true, ok: 'pool will grow' }] });
        await waitFor('3 pool processes', () => inspectWorker<Stats>(probe, hostname, 'stats')?.pool?.processes?.length === 3, 30_000, 500);
        const shrunk = await command(poolRoute, 'pool', id, { shrink: 1 });
        expect(shrunk.body.replies).toEqual([{ command: 'pool_shrink', answered: true, ok: 'pool will shrink' }]);
        await waitFor('2 pool processes', () => inspectWorker<Stats>(probe, hostname, 'stats')?.pool?.processes?.length === 2, 30_000, 500);
        // Celery refuses what it cannot do, and the refusal is the answer, not an error.
        const restart = await command(poolRoute, 'pool', id, { restart: true });
        expect(restart.status).toBe(200);
        expect(restart.body.replies).toEqual([{ command: 'pool_restart', answered: true, error: expect.stringContaining('Pool restarts not enabled') }]);
      } finally {
        await stopWorker(worker);
      }
    }, 120_000);

    it('cancels and adds a consumer (`inspect active_queues` follows), then shuts the worker down', async () => {
      await resetRuntime();
      const { queue, hostname, id, probe } = setup(c);
      const worker = startWorker(probe, { hostname });
      try {
        await waitFor('the worker to consume the queue', () => activeQueues(probe, hostname)?.includes(queue), 60_000, 500);
        const cancelled = await command(consumerRoute, 'consumer', id, { queue, action: 'cancel' });
        expect(cancelled.body.replies).toEqual([{ command: 'cancel_consumer', answered: true, ok: `no longer consuming from ${queue}` }]);
        await waitFor('the queue to be gone from active_queues', () => activeQueues(probe, hostname)?.includes(queue) === false, 30_000, 500);
        const added = await command(consumerRoute, 'consumer', id, { queue, action: 'add' });
        expect(added.body.replies).toEqual([{ command: 'add_consumer', answered: true, ok: `add consumer ${queue}` }]);
        await waitFor('the queue back in active_queues', () => activeQueues(probe, hostname)?.includes(queue), 30_000, 500);
        // Celery ends the worker without answering shutdown: sent, and the process exits.
        const exit = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
        const stopped = await command(shutdownRoute, 'shutdown', id, {});
        expect(stopped.body.replies).toEqual([{ command: 'shutdown', answered: false, ok: expect.stringMatching(/^sent/) }]);
        expect(await exit).toBe(0);
      } finally {
        await stopWorker(worker);
      }
    }, 120_000);

    it('lists what the worker runs, has reserved and holds for its eta', async () => {
      await resetRuntime();
      const { queue, hostname, id, probe } = setup(c);
      const worker = startWorker(probe, { hostname, concurrency: 1, prefetchMultiplier: 3 });
      try {
        await waitFor('the worker to consume the queue', () => activeQueues(probe, hostname)?.includes(queue), 60_000, 500);
        // The eta task first: it must reach the worker before the prefetch window fills.
        const [later] = await apiEnqueue(c.broker, queue, { task: 'probe.work', kwargs: {}, countdown: 600 });
        const [running, next] = await apiEnqueue(c.broker, queue, { task: 'probe.work', kwargs: { sleep: 6 }, count: 2 });
        const held = await waitFor(
          'active, reserved and scheduled',
          async () => {
            const res = await call<WorkerTasks>(tasksRoute.GET, 'GET', `/api/v1/workers/${encodeURIComponent(id)}/tasks`, { id });
            const b = res.body;
            return b.active?.length === 1 && b.reserved?.length === 1 && b.scheduled?.length === 1 ? b : null;
          },
          30_000,
          300,
        );
        expect(held).toMatchObject({ worker: id, answered: true, active: [{ id: running, task: 'probe.work' }], reserved: [{ id: next, task: 'probe.work' }], scheduled: [{ id: later, task: 'probe.work' }] });
        expect(Date.now() - Date.parse(held.active[0]!.startedAt!)).toBeLessThan(10_000);
        expect(Date.parse(held.scheduled[0]!.eta!)).toBeGreaterThan(Date.now() + 500_000);
      } finally {
        await stopWorker(worker);
      }
    }, 120_000);

    it('a rate limit of 6/m spaces the task’s runs 10 s apart', async () => {
      await resetRuntime();
      const { hostname, id, probe } = setup(c);
      const worker = startWorker(probe, { hostname, concurrency: 2 });
      try {
        await waitFor('the worker to answer', () => inspectWorker(probe, hostname, 'stats') !== null, 60_000, 500);
        const limited = await command(rateLimitRoute, 'rate-limit', id, { task: 'probe.work', rate: '6/m' });
        expect(limited.body.replies).toEqual([{ command: 'rate_limit', answered: true, ok: 'new rate limit set successfully' }]);
        const unknown = await command(timeLimitRoute, 'time-limit', id, { task: 'no.such.task', soft: 5 });
        expect(unknown.body.replies).toEqual([{ command: 'time_limit', answered: true, error: 'unknown task' }]);
        const ids = produce(probe, [0, 0]);
        const ranAt: number[] = [];
        for (const n of [1, 2]) {
          await waitFor(`run ${n}`, () => executions(probe.PROBE_LOG!).length >= n, 40_000, 100);
          ranAt.push(Date.now());
        }
        expect(executions(probe.PROBE_LOG!).map((e) => e.id).sort()).toEqual([...ids].sort());
        // Two slots and nothing else to run: only the limit keeps the second task waiting.
        expect(ranAt[1]! - ranAt[0]!).toBeGreaterThanOrEqual(8000);
      } finally {
        await stopWorker(worker);
      }
    }, 120_000);
  });

  it('names the bad field, and a worker nobody knows or hears is a 404', async () => {
    await resetRuntime();
    const { id } = setup(CASES[0]!);
    const bad = await command(rateLimitRoute, 'rate-limit', id, { task: 'probe.work', rate: 'fast' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('rate');
    const pool = await command(poolRoute, 'pool', id, { grow: 0 });
    expect(pool.status).toBe(400);
    expect(JSON.stringify(pool.body)).toContain('grow');
    const ghost = await command(poolRoute, 'pool', celeryWorkerId('redis', 'ghost@nowhere'), { grow: 1 });
    expect(ghost.status).toBe(404);
    const notTriage = await command(poolRoute, 'pool', 'triage@nowhere:1:abcdef', { grow: 1 });
    expect(notTriage.status).toBe(404);
    const ghostId = celeryWorkerId('redis', 'ghost@nowhere');
    const url = `/api/v1/workers/${encodeURIComponent(ghostId)}/tasks`;
    expect((await call(tasksRoute.GET, 'GET', url, { id: ghostId })).status).toBe(404);
    // A page whose worker just stopped asks without a 404.
    const gone = await call(tasksRoute.GET, 'GET', `${url}?missing=empty`, { id: ghostId });
    expect(gone).toEqual({ status: 200, body: { worker: ghostId, gone: true, answered: false, active: [], reserved: [], scheduled: [] } });
  }, 60_000);
});
