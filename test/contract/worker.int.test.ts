import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import { DEAD_HEADERS, type BrokerCapabilities } from '@/lib/brokers/types';
import { WorkerStore } from '@/lib/state/worker-store';
import { WorkerHarness, exited, fifoWithinLevel, inversions, maxOvertaken, orderRun, pauseRun, type HarnessOptions } from '@/lib/worker/test-harness';
import { TcpProxy } from '@/test/tcp-proxy';
import { uniqueName, waitFor } from '@/test/support';
import { TARGETS, type ContractTarget, type LaneGroupSpec } from './targets';

/**
 * The bundled worker's contract, once for every broker kind, through its real entry point
 * (a child process) against the real broker: strict priority order, pause, late arrival,
 * crash (SIGKILL) and graceful stop, retries and dead letters, outages. Durations are
 * scaled to 0; tasks that must take time use triage.tasks.sleep.
 */
describe.each(TARGETS)('worker on $kind', (target: ContractTarget) => {
  let harness: WorkerHarness | null = null;
  let capabilities: BrokerCapabilities;
  let proxy: TcpProxy | null = null;

  beforeAll(async () => {
    const broker = createBroker(target.config({}));
    capabilities = broker.capabilities;
    await broker.close();
  });
  afterEach(async () => {
    await proxy?.stop();
    proxy = null;
    await harness?.cleanup();
    harness = null;
  });

  function setup(options: HarnessOptions): WorkerHarness {
    harness = new WorkerHarness(target, options);
    return harness;
  }

  /** A queue and a probe queue (see orderRun): the names and the harness serving both. */
  function withProbe(label: string, everyPriority = false): { h: WorkerHarness; q: string; probe: string } {
    const q = uniqueName(label);
    const probe = `${q}-probe`;
    return { h: setup({ queues: [{ name: q, everyPriority }, { name: probe }] }), q, probe };
  }

  function threeLanes(label: string): LaneGroupSpec {
    const name = uniqueName(label);
    return { name, lanes: [{ queue: `${name}-hi`, priorities: [0, 2] }, { queue: `${name}-mid`, priorities: [3, 5] }, { queue: `${name}-lo`, priorities: [6, 9] }] };
  }

  describe('order', () => {
    it('runs 200 shuffled priorities with zero inversions and FIFO within a priority at concurrency 1, one level per priority', async () => {
      const { h, q, probe } = withProbe('w-order', true);
      const { levels, seqs } = await orderRun(h, q, probe, 1, { name: 'triage.tasks.noop', args: (seq) => [seq] });
      expect(levels).toHaveLength(200);
      expect(new Set(levels).size).toBe(10);
      expect(inversions(levels)).toBe(0);
      expect(fifoWithinLevel(levels, seqs)).toBe(true);
    });

    it('bounds inversions by the tasks in flight at concurrency 4', async () => {
      const { h, q, probe } = withProbe('w-order4');
      const { levels } = await orderRun(h, q, probe, 4, { name: 'triage.tasks.sleep', args: () => [20] });
      expect(levels).toHaveLength(200);
      // A task can only be overtaken by the (at most 3) others already running.
      expect(maxOvertaken(levels)).toBeLessThanOrEqual(3);
    });

    it('drains a lane group lane after lane, zero inversions, FIFO within a level', async ({ skip }) => {
      if (!capabilities.laneGroups) skip('no lane groups');
      const group = threeLanes('w-lanes');
      const probe = uniqueName('w-lanes-probe');
      const h = setup({ queues: [{ name: probe }], laneGroups: [group] });
      const { levels, seqs, started } = await orderRun(h, group.name, probe, 1, { name: 'triage.tasks.noop', args: (seq) => [seq] });
      expect(levels).toHaveLength(200);
      expect(inversions(levels)).toBe(0);
      expect(fifoWithinLevel(levels, seqs)).toBe(true);
      expect(new Set(started.map((e) => e.queue))).toEqual(new Set([group.name]));
    });
  });

  describe('reliability', () => {
    it('honours a pause within 1 s while draining, and resumes', async () => {
      const { h, q, probe } = withProbe('w-pause');
      const result = await pauseRun(h, q, probe);
      expect(result.startedLate).toBe(0);
      expect(result.waitingWhilePaused).toBeGreaterThan(10);
    });

    it('starts a late priority-0 task next, within one task of its arrival', async () => {
      const q = uniqueName('w-late');
      const h = setup({ queues: [{ name: q }] });
      const broker = await h.broker();
      await broker.enqueue(q, Array.from({ length: 6 }, () => ({ priority: 9, spec: { task: 'triage.tasks.sleep', args: [300] } })));
      await h.spawnWorker({ queues: [q], concurrency: 1 });
      await waitFor('the first low task started', async () => (await h.taskEvents('task.started', q)).length >= 1);
      const startedBefore = (await h.taskEvents('task.started', q)).length;
      const [urgent] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [1] } }]);
      await waitFor('the urgent task ran', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === urgent));
      const order = (await h.taskEvents('task.started', q)).map((e) => e.taskId);
      expect(order.indexOf(urgent!)).toBeGreaterThanOrEqual(1);
      expect(order.indexOf(urgent!)).toBeLessThanOrEqual(startedBefore + 1);
    });

    it('loses nothing when a worker is SIGKILLed mid-task: the broker gets the in-flight tasks back and they run again', async () => {
      const q = uniqueName('w-crash');
      const h = setup({ queues: [{ name: q }] });
      const broker = await h.broker();
      const ids = await broker.enqueue(q, Array.from({ length: 24 }, (_, i) => ({ priority: i % 10, spec: { task: 'triage.tasks.sleep', args: [250] } })));
      const first = await h.spawnWorker({ queues: [q], concurrency: 4 });
      await waitFor('4 tasks running after some are done', async () => {
        const done = new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId));
        const running = new Set((await h.taskEvents('task.started', q)).map((e) => e.taskId).filter((id) => !done.has(id)));
        const inFlight = await h.inFlight();
        return done.size >= 4 && running.size === 4 && (inFlight === null || inFlight === 4);
      });
      first.kill('SIGKILL');
      await exited(first);
      // Where the in-flight bookkeeping is readable (Redis: kombu's unacked), the kill left it behind.
      const orphaned = await h.inFlight();
      if (orphaned !== null) expect(orphaned).toBeGreaterThan(0);
      await h.spawnWorker({ queues: [q], concurrency: 4 });
      await h.succeeded(q, ids.length);
      const runs = new Map<string, number>();
      for (const e of await h.taskEvents('task.started', q)) runs.set(e.taskId!, (runs.get(e.taskId!) ?? 0) + 1);
      expect([...runs.keys()].sort()).toEqual([...ids].sort());
      const total = [...runs.values()].reduce((a, b) => a + b, 0);
      // The ones killed mid-run ran twice, nothing else did.
      expect(total).toBeGreaterThan(ids.length);
      expect(total).toBeLessThanOrEqual(ids.length + (orphaned ?? 4));
      console.info(`crash test (${target.kind}): ${ids.length} tasks, ${orphaned ?? '?'} in flight at SIGKILL, ${total} runs in all`);
      if (orphaned !== null) await waitFor('nothing in flight', async () => (await h.inFlight()) === 0);
    });

    it('retries with growing delays, then dead-letters with the error at the task\'s own priority; a flaky task eventually succeeds; unknown tasks are kept', async () => {
      const q = uniqueName('w-retry');
      const h = setup({ queues: [{ name: q }] });
      const broker = await h.broker();
      const [failing, flaky, unknown] = await broker.enqueue(q, [
        { priority: 4, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_rate: 1, max_retries: 3 } } },
        { priority: 4, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_times: 2 } } },
        { priority: 7, spec: { task: 'myapp.tasks.does_not_exist', args: [1] } },
      ]);
      await h.spawnWorker({ queues: [q], concurrency: 2 });
      await waitFor('the failing task is dead', async () => (await h.taskEvents('task.dead', q)).filter((e) => e.taskId === failing).length === 1, 30_000);
      await waitFor('the flaky task succeeded', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === flaky), 30_000);
      const attempts = (await h.taskEvents('task.started', q)).filter((e) => e.taskId === failing).map((e) => Date.parse(e.at));
      expect(attempts).toHaveLength(4);
      const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
      // Base 300 ms, equal jitter: retry n waits within [150·2ⁿ, 300·2ⁿ] ms.
      gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(150 * 2 ** n - 5));
      expect(gaps[2]!).toBeGreaterThan(gaps[0]!);

      // The dead letters as the Dead letters page shows them: why, when, where from, what.
      const dead = `${q}.dead`;
      const shown = await waitFor('both dead letters browsable', async () => {
        const { messages } = await broker.browse(dead, { limit: 10 });
        return messages.length === 2 && new Map(messages.map((m) => [m.id, m]));
      });
      const failed = shown.get(failing!)!;
      expect(failed).toMatchObject({ task: 'myapp.tasks.flaky', kwargs: { fail_rate: 1, max_retries: 3 }, taskPriority: 4 });
      expect(failed.deadLetter).toMatchObject({ reason: 'max_retries', originalQueue: q, originalPriority: 4 });
      expect(failed.deadLetter!.error).toMatch(/upstream unavailable/);
      expect(failed.deadLetter!.traceback).toMatch(/at /);
      expect(Number.isNaN(Date.parse(failed.deadLetter!.at ?? ''))).toBe(false);
      expect(shown.get(unknown!)!.deadLetter).toMatchObject({ reason: 'unknown_task', originalQueue: q, originalPriority: 7 });
      // Stored on the broker at the level of their own priority, like any message of it.
      const { levelOf } = (await broker.getQueue(q))!;
      const stored = await (await h.raw()).read(dead);
      expect(stored.map((m) => [m.id, m.level])).toEqual([
        [failing, levelOf[4]],
        [unknown, levelOf[7]],
      ]);

      const record = JSON.parse((await h.state.get(`${h.statePrefix}task:${flaky}`))!) as { state: string; history: { state: string }[] };
      expect(record.state).toBe('succeeded');
      expect(record.history.map((x) => x.state)).toEqual(['active', 'failed', 'retrying', 'active', 'failed', 'retrying', 'active', 'succeeded']);
      expect(await h.state.zcard(`${h.statePrefix}delayed:${h.brokerId}`)).toBe(0);
      expect((await h.inFlight()) ?? 0).toBe(0);
    });

    it('on SIGTERM finishes the running 2 s task, acks it and exits 0; a paused queue is left alone', async () => {
      const q = uniqueName('w-term');
      const h = setup({ queues: [{ name: q }] });
      const broker = await h.broker();
      const [long] = await broker.enqueue(q, [
        { priority: 0, spec: { task: 'triage.tasks.sleep', args: [2000] } },
        { priority: 5, spec: { task: 'triage.tasks.noop' } },
      ]);
      const child = await h.spawnWorker({ queues: [q], concurrency: 1 });
      await waitFor('the long task started', async () => (await h.taskEvents('task.started', q)).some((e) => e.taskId === long));
      await h.pauses.pause(h.brokerId, q, 'test');
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId)).toEqual([long]);
      expect((await h.inFlight()) ?? 0).toBe(0);
      // Only the untouched second task is left (paused, then stopping: never taken); nobody consumes any more.
      const raw = await h.raw();
      expect(await raw.count(q)).toBe(1);
      expect((await raw.consumers(q)) ?? 0).toBe(0);
      expect((await h.taskEvents('worker.offline')).length).toBe(1);
    });

    it('a second signal stops at once and hands the interrupted task back to its queue', async () => {
      const q = uniqueName('w-force');
      const h = setup({ queues: [{ name: q }] });
      const broker = await h.broker();
      const [long] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [20_000] } }]);
      const child = await h.spawnWorker({ queues: [q], concurrency: 1 });
      await waitFor('the long task started', async () => (await h.taskEvents('task.started', q)).some((e) => e.taskId === long));
      const t0 = Date.now();
      child.kill('SIGTERM');
      await waitFor('the worker to report it is stopping', async () => (await new WorkerStore(h.state, h.statePrefix).list()).some((w) => w.pid === child.pid && w.state === 'stopping'));
      child.kill('SIGTERM');
      expect(await exited(child)).not.toBe(0);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect((await h.inFlight()) ?? 0).toBe(0);
      const back = await waitFor('the task back in its queue', async () => {
        const entries = await (await h.raw()).read(q);
        return entries.length > 0 && entries;
      });
      expect(back.map((m) => [m.id, m.redelivered])).toEqual([[long, true]]);
    });

    it('dead-letters an undecodable message instead of dropping it, at the level it was stored at', async () => {
      const q = uniqueName('w-junk');
      const h = setup({ queues: [{ name: q }] });
      const broker = await h.broker(); // declares the configured queue
      const { levels } = (await broker.getQueue(q))!;
      const level = levels[levels.length - 2]!;
      await h.spawnWorker({ queues: [q], concurrency: 1 });
      await (await h.raw()).putUndecodable(q, 'this is not a Celery message', level);
      const dead = `${q}.dead`;
      const [stored] = await waitFor('dead-lettered', async () => {
        const letters = await (await h.raw()).deadLetters(dead);
        return letters.length === 1 && letters;
      });
      expect(stored!.body).toBe('this is not a Celery message');
      expect(stored!.headers).toMatchObject({ [DEAD_HEADERS.reason]: 'undecodable', [DEAD_HEADERS.originalQueue]: q, [DEAD_HEADERS.originalPriority]: level });
      expect((await h.inFlight()) ?? 0).toBe(0);
    });

    it('pauses one lane of a group on its own, and a paused group stops workers dedicated to its lanes', async ({ skip }) => {
      if (!capabilities.laneGroups) skip('no lane groups');
      const group = threeLanes('w-lanep');
      const hi = group.lanes[0]!.queue;
      const probe = uniqueName('w-lanep-probe');
      const h = setup({ queues: [{ name: probe }], laneGroups: [group] });
      const broker = await h.broker();
      const ids = await broker.enqueue(group.name, [0, 0, 4, 4].map((priority) => ({ priority, spec: { task: 'triage.tasks.noop' } })));
      await h.pauses.pause(h.brokerId, hi, 'test');
      await h.spawnWorker({ queues: [group.name], concurrency: 1 });
      await waitFor('the medium lane ran', async () => (await h.taskEvents('task.succeeded', group.name)).length === 2);
      // The tasks' own priority (4), stored in the medium lane's list of 3–5.
      expect((await h.taskEvents('task.started', group.name)).map((e) => e.priority)).toEqual([4, 4]);
      // Now the whole group is paused and only the lane is resumed: a worker dedicated to
      // the lane still takes nothing. It also serves a probe queue: once it ran a probe task
      // less urgent than the lane's, it has taken, and skipped the lane.
      await h.pauses.pause(h.brokerId, group.name, 'test');
      await h.pauses.resume(h.brokerId, hi);
      await h.spawnWorker({ queues: [hi, probe], concurrency: 1 });
      const [probed] = await broker.enqueue(probe, [{ priority: 9, spec: { task: 'triage.tasks.noop' } }]);
      await waitFor('the probe task ran', async () => (await h.taskEvents('task.succeeded', probe)).some((e) => e.taskId === probed));
      expect(await h.taskEvents('task.started', hi)).toHaveLength(0);
      expect(await (await h.raw()).count(hi)).toBe(2);
      await h.pauses.resume(h.brokerId, group.name);
      await waitFor('everything ran', async () => (await h.taskEvents('task.succeeded', group.name)).length + (await h.taskEvents('task.succeeded', hi)).length === ids.length);
    });

    it('reconnects after its broker connection drops and runs what was enqueued before, during and after the outage', async () => {
      const q = uniqueName('w-out');
      const upstream = new URL(target.url);
      proxy = new TcpProxy(Number(upstream.port), upstream.hostname);
      const proxied = new URL(target.url);
      proxied.port = String(await proxy.start());
      const h = setup({ queues: [{ name: q }], url: proxied.toString() });
      // The producer talks to the real broker, not through the proxy.
      const producer = await h.broker();
      const task = () => ({ priority: 3, spec: { task: 'triage.tasks.noop' } });
      await h.spawnWorker({ queues: [q], concurrency: 2 });
      await producer.enqueue(q, [task(), task()]);
      await waitFor('2 tasks before the outage', async () => (await h.taskEvents('task.succeeded', q)).length === 2);
      await proxy.stop();
      await producer.enqueue(q, [task(), task()]);
      // The outage lasts until the worker has tried to reconnect and been refused.
      await refuseUntilAttempted(proxy.port);
      await proxy.start();
      await producer.enqueue(q, [task(), task()]);
      await waitFor('all 6 tasks after the outage', async () => new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId)).size === 6, 45_000);
      expect((await h.taskEvents('task.succeeded', q)).length).toBeGreaterThanOrEqual(6);
    });
  });
});

/** Listens on `port`, dropping every connection, until one arrives (a client retrying). */
async function refuseUntilAttempted(port: number): Promise<void> {
  let attempted: () => void = () => {};
  const attempt = new Promise<void>((resolve) => (attempted = resolve));
  const server = net.createServer((socket) => {
    socket.destroy();
    attempted();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  try {
    await Promise.race([attempt, new Promise((_, reject) => setTimeout(() => reject(new Error('no reconnect attempt within 30 s')), 30_000))]);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
