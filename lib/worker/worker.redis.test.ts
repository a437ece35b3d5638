import { afterEach, describe, expect, it } from 'vitest';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { ALL_STEPS } from '@/lib/shared/priority';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '@/test/support';
import { WorkerHarness, exited, fifoWithinLevel, inversions, maxOvertaken, orderRun, pauseRun } from './test-harness';

/**
 * The bundled worker on Redis, through its real entry point (a child process), against
 * the real server: order, late arrival, crash and restore, retries and dead letters,
 * graceful stop. Durations are scaled to 0; tasks that must take time use triage.tasks.sleep.
 */
let harness: WorkerHarness | null = null;

afterEach(async () => {
  await harness?.cleanup();
  harness = null;
});

function setup(queues: Record<string, unknown>[], laneGroups: Record<string, unknown>[] = []): WorkerHarness {
  harness = new WorkerHarness({ redisUrl: REDIS_URL, amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, redis: { queues, laneGroups } });
  return harness;
}

describe('worker on Redis: order', () => {
  it('runs 200 shuffled priorities with zero inversions and FIFO within a priority at concurrency 1', async () => {
    const q = uniqueName('w-order');
    const h = setup([{ name: q, steps: [...ALL_STEPS], sep: ':' }]);
    const { levels, seqs } = await orderRun(h, 'redis', q, 1, { name: 'triage.tasks.noop', args: (seq) => [seq] });
    expect(levels).toHaveLength(200);
    expect(inversions(levels)).toBe(0);
    expect(fifoWithinLevel(levels, seqs)).toBe(true);
  });

  it('bounds inversions by the tasks in flight at concurrency 4', async () => {
    const q = uniqueName('w-order4');
    const h = setup([{ name: q }]);
    const { levels } = await orderRun(h, 'redis', q, 4, { name: 'triage.tasks.sleep', args: () => [20] });
    expect(levels).toHaveLength(200);
    // A task can only be overtaken by the (at most 3) others already running.
    expect(maxOvertaken(levels)).toBeLessThanOrEqual(3);
  });

  it('drains a lane group lane after lane, zero inversions, FIFO within a level', async () => {
    const group = uniqueName('w-lanes');
    const lanes = ['hi', 'mid', 'lo'].map((l) => `${group}-${l}`);
    const h = setup(
      [],
      [{ name: group, lanes: [{ queue: lanes[0], priorities: [0, 2] }, { queue: lanes[1], priorities: [3, 5] }, { queue: lanes[2], priorities: [6, 9] }] }],
    );
    const { levels, seqs, started } = await orderRun(h, 'redis', group, 1, { name: 'triage.tasks.noop', args: (seq) => [seq] });
    expect(inversions(levels)).toBe(0);
    expect(fifoWithinLevel(levels, seqs)).toBe(true);
    expect(new Set(started.map((e) => e.queue))).toEqual(new Set([group]));
  });
});

describe('worker on Redis: reliability', () => {
  it('honours a pause within 1 s while draining, and resumes', async () => {
    const q = uniqueName('w-pause');
    const h = setup([{ name: q }]);
    const result = await pauseRun(h, 'redis', q);
    expect(result.startedLate).toBe(0);
    expect(result.waitingWhilePaused).toBeGreaterThan(10);
  });

  it('starts a late priority-0 task next, within one task of its arrival', async () => {
    const q = uniqueName('w-late');
    const h = setup([{ name: q }]);
    const broker = await h.broker('redis');
    await broker.enqueue(q, Array.from({ length: 6 }, () => ({ priority: 9, spec: { task: 'triage.tasks.sleep', args: [300] } })));
    await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 1 });
    await waitFor('the first low task started', async () => (await h.taskEvents('task.started', q)).length >= 1);
    const startedBefore = (await h.taskEvents('task.started', q)).length;
    const [urgent] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [1] } }]);
    await waitFor('the urgent task ran', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === urgent));
    const order = (await h.taskEvents('task.started', q)).map((e) => e.taskId);
    expect(order.indexOf(urgent!)).toBeLessThanOrEqual(startedBefore + 1);
    expect(order.indexOf(urgent!)).toBeGreaterThanOrEqual(1);
  });

  it('loses nothing when a worker is SIGKILLed mid-task: restored after the visibility timeout and run again', async () => {
    const q = uniqueName('w-crash');
    const h = setup([{ name: q }]);
    const broker = await h.broker('redis');
    const ids = await broker.enqueue(q, Array.from({ length: 24 }, (_, i) => ({ priority: i % 10, spec: { task: 'triage.tasks.sleep', args: [250] } })));
    const first = await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 4 });
    await waitFor('4 tasks running after some are done', async () => {
      const done = new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId));
      const running = new Set((await h.taskEvents('task.started', q)).map((e) => e.taskId).filter((id) => !done.has(id)));
      return done.size >= 4 && running.size === 4 && (await h.state.hlen(h.unackedKey)) === 4;
    });
    first.kill('SIGKILL');
    await exited(first);
    const orphaned = await h.state.hkeys(h.unackedKey);
    expect(orphaned.length).toBeGreaterThan(0);
    await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 4 });
    await waitFor('every task succeeded', async () => new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId)).size === ids.length, 60_000);
    const runs = new Map<string, number>();
    for (const e of await h.taskEvents('task.started', q)) runs.set(e.taskId!, (runs.get(e.taskId!) ?? 0) + 1);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    const total = [...runs.values()].reduce((a, b) => a + b, 0);
    // The ones killed mid-run ran twice, nothing else did.
    expect(total).toBeGreaterThan(ids.length);
    expect(total).toBeLessThanOrEqual(ids.length + orphaned.length);
    console.info(`crash test: ${ids.length} tasks, ${orphaned.length} in flight at SIGKILL, ${total} runs in all`);
    await waitFor('nothing in flight', async () => (await h.state.hlen(h.unackedKey)) === 0);
    expect(await h.state.zcard(h.unackedIndexKey)).toBe(0);
  });

  it('retries with growing delays, then dead-letters with the error; a flaky task eventually succeeds; unknown tasks are kept', async () => {
    const q = uniqueName('w-retry');
    const h = setup([{ name: q }]);
    const broker = await h.broker('redis');
    const [failing, flaky, unknown] = await broker.enqueue(q, [
      { priority: 4, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_rate: 1, max_retries: 3 } } },
      { priority: 4, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_times: 2 } } },
      { priority: 7, spec: { task: 'myapp.tasks.does_not_exist', args: [1] } },
    ]);
    await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 2 });
    await waitFor('the failing task is dead', async () => (await h.taskEvents('task.dead', q)).filter((e) => e.taskId === failing).length === 1, 30_000);
    const attempts = (await h.taskEvents('task.started', q)).filter((e) => e.taskId === failing).map((e) => Date.parse(e.at));
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // Base 300 ms, equal jitter: retry n waits within [150·2ⁿ, 300·2ⁿ] ms.
    gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(150 * 2 ** n - 5));
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);

    const deadList = `${q}.dead\x06\x163`;
    await waitFor('both dead letters stored', async () => (await h.state.llen(deadList)) + (await h.state.llen(`${q}.dead\x06\x166`)) === 2);
    const dead = (await h.state.lrange(deadList, 0, -1)).map((p) => decodeRedisPayload(p));
    expect(dead).toHaveLength(1);
    const d = dead[0]!;
    expect(d.ok && d.task.id).toBe(failing);
    expect(d.ok && d.task.task).toBe('myapp.tasks.flaky');
    expect(d.ok && d.task.kwargs).toEqual({ fail_rate: 1, max_retries: 3 });
    expect(d.ok && d.task.headers).toMatchObject({ triage_dead_reason: 'max_retries', triage_original_queue: q, triage_original_priority: 4 });
    expect(String(d.ok && d.task.headers.triage_error)).toMatch(/upstream unavailable/);
    expect(String(d.ok && d.task.headers.triage_traceback)).toMatch(/at /);
    const unknownDead = decodeRedisPayload((await h.state.lindex(`${q}.dead\x06\x166`, 0))!);
    expect(unknownDead.ok && unknownDead.task.id).toBe(unknown);
    expect(unknownDead.ok && unknownDead.task.headers.triage_dead_reason).toBe('unknown_task');

    await waitFor('the flaky task succeeded', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === flaky), 30_000);
    const record = JSON.parse((await h.state.get(`${h.statePrefix}task:${flaky}`))!) as { state: string; history: { state: string }[] };
    expect(record.state).toBe('succeeded');
    expect(record.history.map((x) => x.state)).toEqual(['active', 'failed', 'retrying', 'active', 'failed', 'retrying', 'active', 'succeeded']);
    expect(await h.state.zcard(`${h.statePrefix}delayed:redis`)).toBe(0);
    expect(await h.state.hlen(h.unackedKey)).toBe(0);
  });

  it('on SIGTERM finishes the running 2 s task, acks it and exits 0; a paused queue is left alone within 1 s', async () => {
    const q = uniqueName('w-term');
    const h = setup([{ name: q }]);
    const broker = await h.broker('redis');
    const [long] = await broker.enqueue(q, [
      { priority: 0, spec: { task: 'triage.tasks.sleep', args: [2000] } },
      { priority: 5, spec: { task: 'triage.tasks.noop' } },
    ]);
    const child = await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 1 });
    await waitFor('the long task started', async () => (await h.taskEvents('task.started', q)).some((e) => e.taskId === long));
    await h.pauses.pause('redis', q, 'test');
    child.kill('SIGTERM');
    const code = await exited(child);
    expect(code).toBe(0);
    const succeeded = await h.taskEvents('task.succeeded', q);
    expect(succeeded.map((e) => e.taskId)).toEqual([long]);
    expect(await h.state.hlen(h.unackedKey)).toBe(0);
    expect(await h.state.zcard(h.unackedIndexKey)).toBe(0);
    // The other task is still waiting (paused, then stopping: never taken).
    expect(await h.state.llen(`${q}\x06\x163`)).toBe(1);
    expect((await h.taskEvents('worker.offline')).length).toBe(1);
  });

  it('a second signal stops at once and hands the interrupted task back to its queue', async () => {
    const q = uniqueName('w-force');
    const h = setup([{ name: q }]);
    const broker = await h.broker('redis');
    const [long] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [20_000] } }]);
    const child = await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 1 });
    await waitFor('the long task started', async () => (await h.taskEvents('task.started', q)).some((e) => e.taskId === long));
    const t0 = Date.now();
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    expect(await exited(child)).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await h.state.hlen(h.unackedKey)).toBe(0);
    expect(await h.state.zcard(h.unackedIndexKey)).toBe(0);
    const back = (await h.state.lrange(q, 0, -1)).map((p) => decodeRedisPayload(p));
    expect(back.map((d) => d.ok && d.task.id)).toEqual([long]);
    expect(back[0]!.envelope?.redelivered).toBe(true);
  });

  it('dead-letters an undecodable list element instead of dropping it', async () => {
    const q = uniqueName('w-junk');
    const h = setup([{ name: q }]);
    await h.state.lpush(q, 'this is not a kombu envelope');
    await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 1 });
    await waitFor('dead-lettered', async () => (await h.state.llen(`${q}.dead`)) === 1);
    const dead = JSON.parse((await h.state.lindex(`${q}.dead`, 0))!) as { body: string; headers: Record<string, unknown> };
    expect(Buffer.from(dead.body, 'base64').toString()).toBe('this is not a kombu envelope');
    expect(dead.headers).toMatchObject({ triage_dead_reason: 'undecodable', triage_original_queue: q, triage_original_priority: 0 });
    expect(await h.state.hlen(h.unackedKey)).toBe(0);
  });

  it('pauses one lane of a group on its own, and a paused group stops workers dedicated to its lanes', async () => {
    const group = uniqueName('w-lanep');
    const [hi, mid, lo] = ['hi', 'mid', 'lo'].map((l) => `${group}-${l}`);
    const h = setup([], [{ name: group, lanes: [{ queue: hi, priorities: [0, 2] }, { queue: mid, priorities: [3, 5] }, { queue: lo, priorities: [6, 9] }] }]);
    const broker = await h.broker('redis');
    const ids = await broker.enqueue(group, [0, 0, 4, 4].map((priority) => ({ priority, spec: { task: 'triage.tasks.noop' } })));
    await h.pauses.pause('redis', hi!, 'test');
    await h.spawnWorker({ broker: 'redis', queues: [group], concurrency: 1 });
    await waitFor('the medium lane ran', async () => (await h.taskEvents('task.succeeded', group)).length === 2);
    // The tasks' own priority (4), stored in the medium lane's list of 3–5.
    expect((await h.taskEvents('task.started', group)).map((e) => e.priority)).toEqual([4, 4]);
    // Now the whole group is paused and only the lane is resumed: a worker dedicated to
    // the lane still takes nothing.
    await h.pauses.pause('redis', group, 'test');
    await h.pauses.resume('redis', hi!);
    await h.spawnWorker({ broker: 'redis', queues: [hi!], concurrency: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await h.taskEvents('task.started', hi)).toHaveLength(0);
    expect(await h.state.llen(hi!)).toBe(2);
    await h.pauses.resume('redis', group);
    await waitFor('everything ran', async () => (await h.taskEvents('task.succeeded')).length === ids.length);
  });

  it('keeps a task that outlives the visibility timeout from being restored and run twice while its worker lives', async () => {
    const q = uniqueName('w-long');
    const h = setup([{ name: q }]); // visibility timeout 2 s
    const broker = await h.broker('redis');
    await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 1 });
    await h.spawnWorker({ broker: 'redis', queues: [q], concurrency: 1 });
    const [id] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [3500] } }]);
    await waitFor('the long task succeeded', async () => (await h.taskEvents('task.succeeded', q)).length === 1, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await h.taskEvents('task.started', q)).map((e) => e.taskId)).toEqual([id]);
    expect(await h.state.hlen(h.unackedKey)).toBe(0);
  });
});
