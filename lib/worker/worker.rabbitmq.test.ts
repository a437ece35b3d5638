import { connect, type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeAmqp } from '@/lib/shared/celery-codec';
import type { Message } from '@/lib/shared/types';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '@/test/support';
import { WorkerHarness, exited, fifoWithinLevel, inversions, maxOvertaken, orderRun, pauseRun } from './test-harness';

/**
 * The bundled worker on RabbitMQ through its real entry point: order with prefetch 1 per
 * slot, late arrival, SIGKILL (the broker redelivers), retries through delay queues and
 * the DLX, graceful stop.
 */
let harness: WorkerHarness | null = null;
let amqp: ChannelModel;
const queues: string[] = [];

beforeAll(async () => {
  amqp = await connect(AMQP_URL, { noDelay: true });
});
afterEach(async () => {
  await harness?.cleanup();
  harness = null;
  await deleteQueues(queues.splice(0));
});
afterAll(async () => {
  await amqp.close();
});

function setup(): { h: WorkerHarness; q: string } {
  const q = uniqueName('wr');
  queues.push(q);
  harness = new WorkerHarness({
    redisUrl: REDIS_URL,
    amqpUrl: AMQP_URL,
    managementUrl: MANAGEMENT_URL,
    rabbit: { queues: [{ name: q, maxPriority: 10 }] },
  });
  return { h: harness, q };
}

async function deleteQueues(names: string[]): Promise<void> {
  if (names.length === 0) return;
  const url = new URL(MANAGEMENT_URL);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const all = (await (await fetch(`${url.origin}/api/queues/%2F?columns=name`, { headers: { authorization: auth } })).json()) as { name: string }[];
  // The management listing lags behind declarations by seconds: the names we know are
  // deleted directly (deleting a missing queue is a no-op), the listing only finds the
  // delay queues, whose names carry a delay.
  const doomed = new Set(names.flatMap((q) => [q, `${q}.dead`]));
  for (const { name } of all) if (names.some((q) => name.startsWith(`triage.delay.${q}.`))) doomed.add(name);
  const channel = await amqp.createChannel();
  for (const name of doomed) await channel.deleteQueue(name);
  await channel.close();
}

async function readAll(queue: string) {
  const channel = await amqp.createChannel();
  const out = [];
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) break;
    out.push({ message, decoded: decodeAmqp({ headers: message.properties.headers ?? {}, properties: { content_type: message.properties.contentType as string, correlation_id: message.properties.correlationId as string }, body: message.content }) });
  }
  await channel.close();
  return out;
}

describe('worker on RabbitMQ: order', () => {
  it('runs 200 shuffled priorities with zero inversions and FIFO within a priority at concurrency 1', async () => {
    const { h, q } = setup();
    const { levels, seqs } = await orderRun(h, 'rabbitmq', q, 1, { name: 'triage.tasks.noop', args: (seq) => [seq] });
    expect(levels).toHaveLength(200);
    expect(inversions(levels)).toBe(0);
    expect(fifoWithinLevel(levels, seqs)).toBe(true);
  });

  it('bounds inversions by the tasks in flight at concurrency 4', async () => {
    const { h, q } = setup();
    const { levels } = await orderRun(h, 'rabbitmq', q, 4, { name: 'triage.tasks.sleep', args: () => [20] });
    expect(levels).toHaveLength(200);
    expect(maxOvertaken(levels)).toBeLessThanOrEqual(3);
  });
});

describe('worker on RabbitMQ: reliability', () => {
  it('honours a pause within 1 s while draining, and resumes', async () => {
    const { h, q } = setup();
    const result = await pauseRun(h, 'rabbitmq', q);
    expect(result.startedLate).toBe(0);
    expect(result.waitingWhilePaused).toBeGreaterThan(10);
  });

  it('starts a late priority-0 task next, within one task of its arrival', async () => {
    const { h, q } = setup();
    const broker = await h.broker('rabbitmq');
    await broker.enqueue(q, Array.from({ length: 6 }, () => ({ priority: 9, spec: { task: 'triage.tasks.sleep', args: [300] } })));
    await h.spawnWorker({ broker: 'rabbitmq', queues: [q], concurrency: 1 });
    await waitFor('the first low task started', async () => (await h.taskEvents('task.started', q)).length >= 1);
    const startedBefore = (await h.taskEvents('task.started', q)).length;
    const [urgent] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [1] } }]);
    await waitFor('the urgent task ran', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === urgent));
    const order = (await h.taskEvents('task.started', q)).map((e) => e.taskId);
    expect(order.indexOf(urgent!)).toBeLessThanOrEqual(startedBefore + 1);
  });

  it('loses nothing when a worker is SIGKILLed mid-task: the broker redelivers', async () => {
    const { h, q } = setup();
    const broker = await h.broker('rabbitmq');
    const ids = await broker.enqueue(q, Array.from({ length: 24 }, (_, i) => ({ priority: i % 10, spec: { task: 'triage.tasks.sleep', args: [250] } })));
    const first = await h.spawnWorker({ broker: 'rabbitmq', queues: [q], concurrency: 4 });
    await waitFor('4 tasks running after some are done', async () => {
      const done = new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId));
      const running = new Set((await h.taskEvents('task.started', q)).map((e) => e.taskId).filter((id) => !done.has(id)));
      return done.size >= 4 && running.size === 4;
    });
    first.kill('SIGKILL');
    await exited(first);
    await h.spawnWorker({ broker: 'rabbitmq', queues: [q], concurrency: 4 });
    await waitFor('every task succeeded', async () => new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId)).size === ids.length, 60_000);
    const runs = new Map<string, number>();
    for (const e of await h.taskEvents('task.started', q)) runs.set(e.taskId!, (runs.get(e.taskId!) ?? 0) + 1);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    const total = [...runs.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(ids.length);
    expect(total).toBeLessThanOrEqual(ids.length + 4);
    console.info(`crash test (rabbitmq): ${ids.length} tasks, ${total} runs in all`);
  });

  it('retries with growing delays, then dead-letters with the error; a flaky task eventually succeeds; unknown tasks are kept', async () => {
    const { h, q } = setup();
    const broker = await h.broker('rabbitmq');
    const [failing, flaky, unknown] = await broker.enqueue(q, [
      { priority: 4, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_rate: 1, max_retries: 3 } } },
      { priority: 4, spec: { task: 'myapp.tasks.flaky', kwargs: { fail_times: 2 } } },
      { priority: 7, spec: { task: 'myapp.tasks.does_not_exist', args: [1] } },
    ]);
    await h.spawnWorker({ broker: 'rabbitmq', queues: [q], concurrency: 2 });
    await waitFor('the failing task is dead', async () => (await h.taskEvents('task.dead', q)).some((e) => e.taskId === failing), 30_000);
    await waitFor('the flaky task succeeded', async () => (await h.taskEvents('task.succeeded', q)).some((e) => e.taskId === flaky), 30_000);
    const attempts = (await h.taskEvents('task.started', q)).filter((e) => e.taskId === failing).map((e) => Date.parse(e.at));
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(150 * 2 ** n - 5));
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);

    // The API's view of the dead letter (what the Dead letters page shows): why, when, where from.
    let shown: Message | undefined;
    await waitFor('the dead letter is browsable', async () => {
      shown = (await broker.browse(`${q}.dead`, { limit: 10 })).messages.find((m) => m.id === failing);
      return shown !== undefined;
    });
    expect(shown!.deadLetter).toMatchObject({ reason: 'max_retries', originalQueue: q, originalPriority: 4 });
    expect(shown!.deadLetter!.error).toMatch(/upstream unavailable/);
    expect(Number.isNaN(Date.parse(shown!.deadLetter!.at ?? ''))).toBe(false);

    const dead = await readAll(`${q}.dead`);
    expect(dead).toHaveLength(2);
    const byId = new Map(dead.map((d) => [d.decoded.ok ? d.decoded.task.id : null, d]));
    const failed = byId.get(failing!)!;
    expect(failed.decoded.ok && failed.decoded.task.task).toBe('myapp.tasks.flaky');
    expect(failed.decoded.ok && failed.decoded.task.kwargs).toEqual({ fail_rate: 1, max_retries: 3 });
    expect(failed.message.properties.headers).toMatchObject({ triage_dead_reason: 'max_retries', triage_original_queue: q, triage_original_priority: 4 });
    expect(String(failed.message.properties.headers?.triage_error)).toMatch(/upstream unavailable/);
    expect(failed.message.properties.priority).toBe(5);
    expect(byId.get(unknown!)?.message.properties.headers?.triage_dead_reason).toBe('unknown_task');
  });

  it('on SIGTERM finishes the running 2 s task, acks it and exits 0', async () => {
    const { h, q } = setup();
    const broker = await h.broker('rabbitmq');
    const [long] = await broker.enqueue(q, [
      { priority: 0, spec: { task: 'triage.tasks.sleep', args: [2000] } },
      { priority: 5, spec: { task: 'triage.tasks.noop' } },
    ]);
    const child = await h.spawnWorker({ broker: 'rabbitmq', queues: [q], concurrency: 1 });
    await waitFor('the long task started', async () => (await h.taskEvents('task.started', q)).some((e) => e.taskId === long));
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId)).toEqual([long]);
    const channel = await amqp.createChannel();
    const { messageCount, consumerCount } = await channel.checkQueue(q);
    await channel.close();
    // Only the untouched second task is left; the long one was acked, nothing redelivered.
    expect({ messageCount, consumerCount }).toEqual({ messageCount: 1, consumerCount: 0 });
  });

  it('dead-letters an undecodable message instead of dropping it', async () => {
    const { h, q } = setup();
    await h.broker('rabbitmq'); // declares the configured queue
    await h.spawnWorker({ broker: 'rabbitmq', queues: [q], concurrency: 1 });
    const channel = await amqp.createConfirmChannel();
    channel.publish('', q, Buffer.from('not json at all'), { priority: 7, contentType: 'application/json' });
    await channel.waitForConfirms();
    await channel.close();
    let dead: Awaited<ReturnType<typeof readAll>> = [];
    await waitFor('dead-lettered', async () => (dead = await readAll(`${q}.dead`)).length === 1);
    expect(dead[0]!.message.content.toString()).toBe('not json at all');
    expect(dead[0]!.message.properties.headers).toMatchObject({ triage_dead_reason: 'undecodable', triage_original_queue: q, triage_original_priority: 2 });
  });
});
