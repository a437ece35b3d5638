import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerHarness, exited } from '@/lib/worker/test-harness';
import { kombuInFlightKeys, redisTarget } from '@/test/contract/redis-target';
import { REDIS_URL, uniqueName, waitFor } from '../support';
import { PYTHON, celery, executions, startWorker, stopWorker, type ProbeEnv } from './celery';
import { logFile } from './interop-harness';

/**
 * A mixed deployment on one Redis: a real Celery worker (acks_late, prefetch 1, solo pool so
 * a SIGKILL stops the task it runs) and Triage's Node worker share a queue, the same kombu
 * `unacked` bookkeeping and visibility timeout. Whichever is SIGKILLed mid-task, the other
 * restores the task after the visibility timeout and every task runs. Triage restores at
 * the task's own priority; kombu restores at its own priority only from 5.4 on (Debian 12's
 * 5.2.4 puts it on the most urgent list: celery-wire.md §2.5), which the test checks as such.
 */

const VISIBILITY_SEC = 5;
const SEP = '\x06\x16';
let harness: WorkerHarness | null = null;

afterEach(async () => {
  await harness?.cleanup();
  harness = null;
});

function kombuVersion(): [number, number] {
  const run = spawnSync(PYTHON, ['-c', 'import kombu; print(kombu.__version__)'], { encoding: 'utf8' });
  const [major, minor] = run.stdout.trim().split('.').map(Number);
  return [major ?? 0, minor ?? 0];
}

/** Step lists of `q` (kombu's default steps) in consumption order, each tail first: what is popped next comes first. */
async function lists(h: WorkerHarness, q: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const step of [0, 3, 6, 9]) {
    const key = step === 0 ? q : `${q}${SEP}${step}`;
    out[String(step)] = (await h.state.lrange(key, 0, -1)).reverse().map((raw) => (JSON.parse(raw) as { headers: { id: string } }).headers.id);
  }
  return out;
}

function setup(): { h: WorkerHarness; q: string; idle: string; probe: (queue: string) => ProbeEnv } {
  const q = uniqueName('mixed');
  const idle = uniqueName('mixed-idle');
  const h = new WorkerHarness(redisTarget, { queues: [{ name: q }, { name: idle }], extra: { visibilityTimeoutSec: VISIBILITY_SEC } });
  harness = h;
  const log = logFile();
  const probe = (queue: string): ProbeEnv => ({
    PROBE_BROKER_URL: REDIS_URL,
    PROBE_QUEUE: queue,
    PROBE_LOG: log,
    PROBE_VISIBILITY_TIMEOUT: String(VISIBILITY_SEC),
    // The harness's private kombu bookkeeping: nothing else on the server is restored.
    PROBE_TRANSPORT_OPTIONS: JSON.stringify({ unacked_key: kombuInFlightKeys(h.id).unacked, unacked_index_key: kombuInFlightKeys(h.id).index, unacked_mutex_key: kombuInFlightKeys(h.id).mutex }),
  });
  return { h, q, idle, probe };
}

/** Waits until every in-flight entry is older than the visibility timeout (the killed worker's task can be restored). */
async function expired(h: WorkerHarness): Promise<void> {
  await waitFor('the killed worker’s in-flight entry to pass the visibility timeout', async () => {
    const total = await h.state.zcard(kombuInFlightKeys(h.id).index);
    const old = await h.state.zcount(kombuInFlightKeys(h.id).index, '-inf', Date.now() / 1000 - VISIBILITY_SEC - 0.5);
    return total > 0 && old === total;
  }, 60_000, 200);
}

describe.skipIf(!celery.ok)(`mixed deployment: Celery and Triage workers on one Redis, SIGKILL either mid-task (${celery.reason})`, () => {
  it('a Celery worker killed mid-task: Triage restores the task at its own priority and every task runs', async () => {
    const { h, q, probe } = setup();
    const broker = await h.broker();
    // Celery sleeps on this one (Triage's send_otp ignores the kwarg).
    const [victim] = await broker.enqueue(q, [{ priority: 6, spec: { task: 'myapp.tasks.send_otp', args: ['+15550100'], kwargs: { sleep: 120 } } }]);
    const env = probe(q);
    const worker = startWorker(env, { pool: 'solo' });
    try {
      await waitFor('the Celery worker to start the task', () => executions(env.PROBE_LOG!).some((e) => e.id === victim), 60_000, 100);
      const others = await broker.enqueue(
        q,
        [9, 0, 6, 3, 0].map((priority, i) => ({ priority, spec: { task: 'myapp.tasks.send_otp', args: [`+1555010${i + 1}`] } })),
      );
      expect(await h.state.zcard(kombuInFlightKeys(h.id).index)).toBe(1);
      worker.kill('SIGKILL');
      await exited(worker);

      // Triage's worker starts paused: it does not consume, but its sweep restores.
      await h.pauses.pause('redis', q, 'test');
      await h.spawnWorker({ queues: [q], concurrency: 1 });
      const restored = await waitFor('Triage to restore the task', async () => {
        const now = await lists(h, q);
        return Object.values(now).flat().includes(victim!) ? now : null;
      }, 60_000, 200);
      // Its own list (step 6), at the consuming end: next within its priority.
      expect(restored['6']![0]).toBe(victim);
      expect(restored['0']).not.toContain(victim);
      expect(await h.state.hlen(kombuInFlightKeys(h.id).unacked)).toBe(0);

      await h.pauses.resume('redis', q);
      const all = [victim!, ...others];
      await waitFor('every task to run on the Triage worker', async () => (await h.taskEvents('task.succeeded', q)).length === all.length, 60_000, 200);
      const started = (await h.taskEvents('task.started', q)).map((e) => e.taskId);
      // Priority order 0, 0, 3, then the restored task ahead of the other 6, then 9.
      expect(started).toEqual([others[1], others[4], others[3], victim, others[2], others[0]]);
    } finally {
      await stopWorker(worker);
    }
  });

  it('a Triage worker killed mid-task: a Celery worker restores the task and every task runs', async () => {
    const { h, q, idle, probe } = setup();
    const broker = await h.broker();
    const [victim] = await broker.enqueue(q, [{ priority: 3, spec: { task: 'myapp.tasks.generate_report', args: ['r-1'] } }]);
    // Reports take 3-8 s at full scale: long enough to be killed mid-task.
    const triage = await h.spawnWorker({ queues: [q], concurrency: 1, env: { TRIAGE_TASK_DURATION_SCALE: '1' } });
    await waitFor('the Triage worker to start the task', async () => (await h.taskEvents('task.started', q)).some((e) => e.taskId === victim), 60_000, 50);
    const others = await broker.enqueue(
      q,
      [9, 0, 3, 6].map((priority, i) => ({ priority, spec: { task: 'myapp.tasks.send_email', args: [`u${i}@example.com`] } })),
    );
    triage.kill('SIGKILL');
    await exited(triage);
    expect(await h.state.zcard(kombuInFlightKeys(h.id).index)).toBe(1);
    await expired(h);

    // kombu restores every expired entry on the DB at worker start, whatever queue the
    // worker consumes: one on another queue shows where the task lands before anyone takes it.
    const sweeper = startWorker(probe(idle), { pool: 'solo' });
    let restored: Record<string, string[]>;
    try {
      restored = await waitFor('Celery to restore the task', async () => {
        const now = await lists(h, q);
        return Object.values(now).flat().includes(victim!) ? now : null;
      }, 60_000, 200);
    } finally {
      await stopWorker(sweeper);
    }
    expect(await h.state.hlen(kombuInFlightKeys(h.id).unacked)).toBe(0);
    const [major, minor] = kombuVersion();
    // kombu >= 5.4 restores to the task's own list; older kombu onto the bare queue key (step 0).
    const landed = major > 5 || (major === 5 && minor >= 4) ? '3' : '0';
    expect(restored![landed]![0]).toBe(victim);

    const env = probe(q);
    const worker = startWorker(env, { pool: 'solo' });
    try {
      const all = [victim!, ...others];
      const ran = await waitFor('every task to run on the Celery worker', () => {
        const done = executions(env.PROBE_LOG!);
        return all.every((id) => done.some((e) => e.id === id)) ? done : null;
      }, 120_000, 200);
      // Each ran once, in the order its lists give: the restored task first within where it landed.
      const order = Object.values(restored!).flat();
      expect(ran.map((e) => e.id)).toEqual(order);
      expect(new Set(order)).toEqual(new Set(all));
    } finally {
      await stopWorker(worker);
    }
  });
});
