import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { WorkerHarness, exited } from '@/lib/worker/test-harness';
import { kombuInFlightKeys, redisTarget } from '@/test/contract/redis-target';
import { uniqueName, waitFor } from '@/test/support';
import { spawnDemoWorker } from './workers';

/**
 * The demo's worker as `npm run demo` starts it, stopped the way a user stops the demo:
 * Ctrl+C twice. Tasks it was running must not stay in kombu's `unacked` hash (where
 * nothing but a later worker's visibility-timeout sweep would ever bring them back).
 */
let harness: WorkerHarness | null = null;
let child: ChildProcess | null = null;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
  child = null;
  await harness?.cleanup();
  harness = null;
});

describe('demo worker stop', () => {
  it('after two SIGINTs nothing is left in unacked: every task is done or back in its queue, once', async () => {
    const q = uniqueName('demo-stop');
    // The default visibility timeout (an hour), as in the demo: no sweep would rescue a leftover soon.
    harness = new WorkerHarness(redisTarget, { queues: [{ name: q }], extra: { visibilityTimeoutSec: 3600 } });
    const h = harness;
    const broker = await h.broker();
    const quick = await broker.enqueue(q, [0, 0].map((priority) => ({ priority, spec: { task: 'triage.tasks.noop' } })));
    const slow = await broker.enqueue(q, [3, 3, 6, 6, 9, 9].map((priority) => ({ priority, spec: { task: 'triage.tasks.sleep', args: [60_000] } })));

    child = spawnDemoWorker(
      { broker: 'redis', queues: [q], concurrency: 2 },
      { ...process.env, TRIAGE_CONFIG: h.configPath, TRIAGE_STATE_PREFIX: h.statePrefix, TRIAGE_TASK_DURATION_SCALE: '1' },
    );
    await waitFor('two slow tasks running', async () => {
      const done = (await h.taskEvents('task.succeeded', q)).length;
      return done === quick.length && (await h.state.hlen(kombuInFlightKeys(h.id).unacked)) === 2;
    });
    const inFlight = await h.state.hkeys(kombuInFlightKeys(h.id).unacked);

    child.kill('SIGINT');
    await waitFor('the worker says it is stopping', async () => (await h.state.hvals(`${h.statePrefix}workers`)).some((json) => json.includes('"stopping"')));
    child.kill('SIGINT');
    await exited(child);

    expect(await h.state.hkeys(kombuInFlightKeys(h.id).unacked)).toEqual([]);
    expect(await h.state.zcard(kombuInFlightKeys(h.id).index)).toBe(0);
    const succeeded = (await h.taskEvents('task.succeeded', q)).map((e) => e.taskId);
    expect(succeeded.sort()).toEqual([...quick].sort());
    const waiting: string[] = [];
    for (const key of [q, `${q}\x06\x163`, `${q}\x06\x166`, `${q}\x06\x169`]) {
      for (const payload of await h.state.lrange(key, 0, -1)) {
        const decoded = decodeRedisPayload(payload);
        waiting.push(decoded.ok ? decoded.task.id : `undecodable:${payload.slice(0, 40)}`);
      }
    }
    // Nothing lost, nothing doubled: the interrupted ones are back beside those never taken.
    expect(waiting.sort()).toEqual([...slow].sort());
    expect(inFlight).toHaveLength(2);
  });
});
