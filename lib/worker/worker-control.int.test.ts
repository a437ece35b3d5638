import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerControlResult, WorkerTasks } from '@/lib/control/worker-control';
import type { WorkerView } from '@/lib/state/worker-store';
import { call } from '@/test/api-client';
import { TARGETS, type ContractTarget } from '@/test/contract/targets';
import { uniqueName, waitFor } from '@/test/support';
import { WorkerHarness, exited } from './test-harness';

/**
 * Worker control (issue 19 §4) of Triage's own worker through the API, on every broker
 * kind: the real entry point as a child process, commands over the state Redis, and every
 * effect read from what the worker did (task events) or reported (its record).
 */

const SLEEP = 'triage.tasks.sleep';

type Route = { POST: Parameters<typeof call>[0] };
const routes = {
  pool: () => import('@/app/api/v1/workers/[id]/pool/route'),
  rateLimit: () => import('@/app/api/v1/workers/[id]/rate-limit/route'),
  timeLimit: () => import('@/app/api/v1/workers/[id]/time-limit/route'),
  consumer: () => import('@/app/api/v1/workers/[id]/consumer/route'),
  shutdown: () => import('@/app/api/v1/workers/[id]/shutdown/route'),
  tasks: () => import('@/app/api/v1/workers/[id]/tasks/route'),
};

async function command(route: Route, name: string, id: string, body: unknown) {
  return call<WorkerControlResult>(route.POST, 'POST', `/api/v1/workers/${encodeURIComponent(id)}/${name}`, { id }, body);
}

/** The most tasks of `ids` that ran at the same moment, from their started/succeeded events. */
async function maxOverlap(h: WorkerHarness, queue: string, ids: readonly string[]): Promise<number> {
  const wanted = new Set(ids);
  const points: [number, number][] = [];
  for (const e of await h.taskEvents('task.started', queue)) if (wanted.has(e.taskId!)) points.push([Date.parse(e.at), 1]);
  for (const e of await h.taskEvents('task.succeeded', queue)) if (wanted.has(e.taskId!)) points.push([Date.parse(e.at), -1]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let max = 0;
  for (const [, step] of points) max = Math.max(max, (running += step));
  return max;
}

describe.each(TARGETS)('controlling a Triage worker on $kind', (target: ContractTarget) => {
  let h: WorkerHarness | null = null;

  afterEach(async () => {
    const { resetRuntime } = await import('@/lib/server/runtime');
    await resetRuntime();
    await h?.cleanup();
    h = null;
  });

  async function setup(queues: string[], extra?: Record<string, unknown>) {
    h = new WorkerHarness(target, { queues: queues.map((name) => ({ name })), extra });
    const { resetRuntime } = await import('@/lib/server/runtime');
    await resetRuntime();
    process.env.TRIAGE_CONFIG = h.configPath;
    process.env.TRIAGE_STATE_PREFIX = h.statePrefix;
    return h;
  }

  async function workerId(harness: WorkerHarness): Promise<string> {
    const { WorkerStore } = await import('@/lib/state/worker-store');
    const [record] = await new WorkerStore(harness.state, harness.statePrefix).list();
    return record!.id;
  }

  async function record(harness: WorkerHarness, id: string): Promise<WorkerView | undefined> {
    const { WorkerStore } = await import('@/lib/state/worker-store');
    return (await new WorkerStore(harness.state, harness.statePrefix).list()).find((w) => w.id === id);
  }

  async function sleeps(harness: WorkerHarness, queue: string, ms: number, count: number): Promise<string[]> {
    const broker = await harness.broker();
    return broker.enqueue(queue, Array.from({ length: count }, () => ({ priority: 0, spec: { task: SLEEP, args: [ms] } })));
  }

  it('grows and shrinks the pool live: as many sleep tasks run at once as it has slots', async () => {
    const q = uniqueName('wc-pool');
    const harness = await setup([q]);
    await harness.spawnWorker({ queues: [q], concurrency: 1 });
    const id = await workerId(harness);
    const pool = await routes.pool();

    const grown = await command(pool, 'pool', id, { grow: 2 });
    expect(grown.status).toBe(200);
    expect(grown.body).toEqual({ worker: id, broker: harness.brokerId, replies: [{ command: 'pool_grow', answered: true, ok: 'pool will grow' }] });
    // Audited, with who did it, to which worker, and what it answered.
    const { GET: audit } = await import('@/app/api/v1/audit/route');
    const entries = await call<{ entries: { action: string; actor: string; params: Record<string, unknown>; result: Record<string, unknown> }[] }>(audit, 'GET', '/api/v1/audit?action=worker.pool');
    expect(entries.body.entries[0]).toMatchObject({ action: 'worker.pool', params: { worker: id, grow: 2 }, result: { replies: [{ command: 'pool_grow', answered: true }] } });
    const wide = await sleeps(harness, q, 800, 6);
    await harness.succeeded(q, 6);
    expect(await maxOverlap(harness, q, wide)).toBe(3);
    await waitFor('the record to show 3 slots', async () => (await record(harness, id))?.concurrency === 3, 10_000);

    const shrunk = await command(pool, 'pool', id, { shrink: 2 });
    expect(shrunk.body.replies).toEqual([{ command: 'pool_shrink', answered: true, ok: 'pool will shrink' }]);
    const narrow = await sleeps(harness, q, 300, 4);
    await harness.succeeded(q, 10);
    expect(await maxOverlap(harness, q, narrow)).toBe(1);

    // What it cannot do is its answer, not an HTTP error.
    const restart = await command(pool, 'pool', id, { restart: true });
    expect(restart.status).toBe(200);
    expect(restart.body.replies[0]).toMatchObject({ command: 'pool_restart', answered: true, error: expect.stringMatching(/not supported/) });
  }, 90_000);

  it('honours a rate limit of 6/m per task name, reporting the held-back task as reserved', async () => {
    const q = uniqueName('wc-rate');
    const harness = await setup([q]);
    await harness.spawnWorker({ queues: [q], concurrency: 2 });
    const id = await workerId(harness);
    const limited = await command(await routes.rateLimit(), 'rate-limit', id, { task: SLEEP, rate: '6/m' });
    expect(limited.body.replies).toEqual([{ command: 'rate_limit', answered: true, ok: 'new rate limit set successfully' }]);
    const unknown = await command(await routes.rateLimit(), 'rate-limit', id, { task: 'no.such.task', rate: '1/s' });
    expect(unknown.body.replies).toEqual([{ command: 'rate_limit', answered: true, error: 'unknown task' }]);

    const ids = await sleeps(harness, q, 0, 2);
    await harness.succeeded(q, 1);
    // Two slots take one each (RabbitMQ may hand either to either slot): whichever ran first, the other waits.
    const [done] = (await harness.taskEvents('task.succeeded', q)).map((e) => e.taskId!);
    const waiting = ids.find((taskId) => taskId !== done)!;
    const held = await waitFor('the other task reported reserved', async () => (await record(harness, id))?.reservedTasks?.find((t) => t.id === waiting), 10_000);
    expect(held).toMatchObject({ id: waiting, task: SLEEP });
    await harness.succeeded(q, 2, 30_000);
    const started = new Map((await harness.taskEvents('task.started', q)).map((e) => [e.taskId, Date.parse(e.at)]));
    // Two free slots: only the limit kept the other waiting (one task per 10 s).
    expect(started.get(waiting)! - started.get(done)!).toBeGreaterThanOrEqual(9000);
  }, 90_000);

  it('a hard time limit stops the task, records it failed with TimeLimitExceeded, and the slot runs the next', async () => {
    const q = uniqueName('wc-time');
    const harness = await setup([q]);
    await harness.spawnWorker({ queues: [q], concurrency: 1 });
    const id = await workerId(harness);
    const limited = await command(await routes.timeLimit(), 'time-limit', id, { task: SLEEP, soft: 0.5, hard: 1 });
    expect(limited.body.replies).toEqual([{ command: 'time_limit', answered: true, ok: 'time limits set successfully' }]);
    const [long] = await sleeps(harness, q, 60_000, 1);
    const broker = await harness.broker();
    const [next] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'myapp.tasks.send_otp', args: ['+15550000000'] } }]);
    await harness.succeeded(q, 1, 20_000);
    const dead = (await harness.taskEvents('task.dead', q)).find((e) => e.taskId === long);
    expect(dead).toBeDefined();
    expect(String((dead as { error?: string }).error)).toMatch(/^TimeLimitExceeded/);
    expect((await harness.taskEvents('task.succeeded', q)).map((e) => e.taskId)).toEqual([next]);
  }, 60_000);

  it('cancels and adds a consumer', async () => {
    const [qa, qb] = [uniqueName('wc-cons-a'), uniqueName('wc-cons-b')];
    // Discovery off: an unknown name is unknown at once. With it, Redis scans the keyspace for
    // one, which on this shared test server (~500,000 keys) can outlast the API's 3 s.
    const harness = await setup([qa, qb], { discover: false });
    await harness.spawnWorker({ queues: [qa, qb], concurrency: 1 });
    const id = await workerId(harness);
    const consumer = await routes.consumer();
    const cancelled = await command(consumer, 'consumer', id, { queue: qa, action: 'cancel' });
    expect(cancelled.body.replies).toEqual([{ command: 'cancel_consumer', answered: true, ok: `no longer consuming from ${qa}` }]);
    await waitFor('the record to list only the other queue', async () => JSON.stringify((await record(harness, id))?.queues) === JSON.stringify([qb]), 10_000);
    const [waiting] = await sleeps(harness, qa, 0, 1);
    await sleeps(harness, qb, 0, 1);
    await harness.succeeded(qb, 1);
    expect(await harness.taskEvents('task.started', qa)).toEqual([]);
    const added = await command(consumer, 'consumer', id, { queue: qa, action: 'add' });
    expect(added.body.replies).toEqual([{ command: 'add_consumer', answered: true, ok: `add consumer ${qa}` }]);
    await harness.succeeded(qa, 1);
    expect((await harness.taskEvents('task.succeeded', qa)).map((e) => e.taskId)).toEqual([waiting]);
    const missing = uniqueName('wc-cons-missing');
    const refused = await command(consumer, 'consumer', id, { queue: missing, action: 'add' });
    expect(refused.body.replies).toEqual([{ command: 'add_consumer', answered: true, error: `cannot add consumer ${missing}: queue ${missing} does not exist on broker ${harness.brokerId}` }]);
  }, 60_000);

  it('adds a consumer for a queue of its broker it was not started with: its tasks run in priority order; cancels it again', async () => {
    const [q, other] = [uniqueName('wc-add-own'), uniqueName('wc-add-other')];
    const harness = await setup([q, other]);
    await harness.spawnWorker({ queues: [q], concurrency: 1 });
    const id = await workerId(harness);
    const broker = await harness.broker();
    // Waiting before the worker takes from it, so the order is the queue's, not the arrival's;
    // one priority per level of a Redis queue's default steps (0, 3, 6, 9).
    const priorities = [6, 9, 0, 3];
    const ids = await broker.enqueue(other, priorities.map((priority) => ({ priority, spec: { task: SLEEP, args: [0] } })));
    const consumer = await routes.consumer();
    const added = await command(consumer, 'consumer', id, { queue: other, action: 'add' });
    expect(added.body.replies).toEqual([{ command: 'add_consumer', answered: true, ok: `add consumer ${other}` }]);
    await harness.succeeded(other, priorities.length);
    const started = (await harness.taskEvents('task.started', other)).map((e) => priorities[ids.indexOf(e.taskId!)]);
    expect(started).toEqual([0, 3, 6, 9]);
    await waitFor('the record to list the added queue', async () => JSON.stringify((await record(harness, id))?.queues) === JSON.stringify([q, other]), 10_000);

    const cancelled = await command(consumer, 'consumer', id, { queue: other, action: 'cancel' });
    expect(cancelled.body.replies).toEqual([{ command: 'cancel_consumer', answered: true, ok: `no longer consuming from ${other}` }]);
    await waitFor('the record to list only its own queue', async () => JSON.stringify((await record(harness, id))?.queues) === JSON.stringify([q]), 10_000);
    const [left] = await broker.enqueue(other, [{ priority: 0, spec: { task: SLEEP, args: [0] } }]);
    const [own] = await sleeps(harness, q, 0, 1);
    await harness.succeeded(q, 1);
    expect((await harness.taskEvents('task.succeeded', q)).map((e) => e.taskId)).toEqual([own]);
    expect((await harness.taskEvents('task.started', other)).map((e) => e.taskId)).not.toContain(left);
  }, 60_000);

  it('shuts down gracefully: the running task finishes and the process exits 0', async () => {
    const q = uniqueName('wc-stop');
    const harness = await setup([q]);
    const child = await harness.spawnWorker({ queues: [q], concurrency: 1 });
    const id = await workerId(harness);
    const [running] = await sleeps(harness, q, 3000, 1);
    // Its heartbeat reports the running task, with when it started.
    const tasks = await routes.tasks();
    const listed = await waitFor(
      'the running task listed',
      async () => {
        const res = await call<WorkerTasks>(tasks.GET, 'GET', `/api/v1/workers/${encodeURIComponent(id)}/tasks`, { id });
        return res.body.active?.length === 1 ? res.body : null;
      },
      10_000,
    );
    expect(listed).toMatchObject({ worker: id, answered: true, active: [{ id: running, task: SLEEP, startedAt: expect.any(String) }], reserved: [], scheduled: [] });
    const exit = exited(child);
    const stopped = await command(await routes.shutdown(), 'shutdown', id, {});
    expect(stopped.body.replies).toEqual([{ command: 'shutdown', answered: true, ok: 'worker will shut down' }]);
    expect(await exit).toBe(0);
    expect((await harness.taskEvents('task.succeeded', q)).map((e) => e.taskId)).toEqual([running]);
    expect(await record(harness, id)).toBeUndefined();
  }, 60_000);

  it('holds one subscriber connection to the state Redis, shared by pauses, revokes and its mailbox', async () => {
    const q = uniqueName('wc-conns');
    const harness = await setup([q]);
    const child = await harness.spawnWorker({ queues: [q], concurrency: 1 });
    const id = await workerId(harness);
    // Its connections are named after its process (lib/redis/connection.ts sets the names).
    const mine = async () =>
      (await harness.state.client('LIST') as string)
        .split('\n')
        .map((line) => Object.fromEntries(line.split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])))
        .filter((c) => typeof c.name === 'string' && c.name.startsWith('triage-worker') && c.name.endsWith(`:${child.pid}`));
    const subscribers = (await mine()).filter((c) => Number(c.sub) + Number(c.psub) > 0);
    // Pause channel, revoke channel, its mailbox: three channels, one connection.
    expect(subscribers.map((c) => [c.name, c.sub])).toEqual([[`triage-worker:subscriber:${child.pid}`, '3']]);
    expect((await mine()).map((c) => c.name)).toContain(`triage-worker:state:${child.pid}`);
    // Still answering on it.
    const pinged = await command(await routes.pool(), 'pool', id, { grow: 1 });
    expect(pinged.body.replies).toEqual([{ command: 'pool_grow', answered: true, ok: 'pool will grow' }]);
  }, 60_000);

  it('a dead worker is reported as not answering, at once; an unknown id is a 404', async () => {
    const q = uniqueName('wc-dead');
    const harness = await setup([q]);
    const child = await harness.spawnWorker({ queues: [q], concurrency: 1 });
    const id = await workerId(harness);
    child.kill('SIGKILL');
    await exited(child);
    const pool = await routes.pool();
    const started = Date.now();
    const silent = await command(pool, 'pool', id, { grow: 1 });
    expect(silent.status).toBe(200);
    expect(silent.body.replies).toEqual([{ command: 'pool_grow', answered: false }]);
    // Nobody listens on its channel any more: no need to wait for the timeout.
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await command(pool, 'pool', `${id}-nope`, { grow: 1 })).status).toBe(404);
  }, 60_000);
});
