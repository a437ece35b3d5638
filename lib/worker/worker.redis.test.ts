import { afterEach, describe, expect, it } from 'vitest';
import { kombuInFlightKeys, redisTarget } from '@/test/contract/redis-target';
import { uniqueName, waitFor } from '@/test/support';
import { WorkerHarness } from './test-harness';

/**
 * The bundled worker on Redis where kombu's layout shows: in-flight messages return only
 * after the visibility timeout. Everything both kinds share is in test/contract/worker.int.test.ts.
 */
let harness: WorkerHarness | null = null;

afterEach(async () => {
  await harness?.cleanup();
  harness = null;
});

describe('worker on Redis: visibility timeout', () => {
  it('keeps a task that outlives the visibility timeout from being restored and run twice while its worker lives', async () => {
    const q = uniqueName('w-long');
    const h = (harness = new WorkerHarness(redisTarget, { queues: [{ name: q }] })); // visibility timeout 2 s
    const broker = await h.broker();
    await h.spawnWorker({ queues: [q], concurrency: 1 });
    await h.spawnWorker({ queues: [q], concurrency: 1 });
    const [id] = await broker.enqueue(q, [{ priority: 0, spec: { task: 'triage.tasks.sleep', args: [3500] } }]);
    await waitFor('the long task succeeded', async () => (await h.taskEvents('task.succeeded', q)).length === 1, 20_000);
    // A copy restored while it ran would now be waiting or in flight: the ack has landed
    // once the bookkeeping is empty, and a restored copy, once taken, would sit in it.
    const raw = await h.raw();
    await waitFor('nothing in flight or waiting', async () => (await raw.count(q)) === 0 && (await h.inFlight()) === 0);
    expect((await h.taskEvents('task.started', q)).map((e) => e.taskId)).toEqual([id]);
    expect(await h.state.hlen(kombuInFlightKeys(h.id).unacked)).toBe(0);
  });
});
