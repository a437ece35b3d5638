import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerStore, type WorkerView } from '@/lib/state/worker-store';
import { uniqueName, waitFor } from '@/test/support';
import { WorkerHarness } from './test-harness';
import { redisTarget } from '@/test/contract/redis-target';

/**
 * What a running worker tells the Workers page about itself (its record in Triage's state):
 * a name that tells workers on one host apart, and, for a lane group, the lanes it takes
 * from in order.
 */
let harness: WorkerHarness | null = null;

afterEach(async () => {
  await harness?.cleanup();
  harness = null;
});

async function recordOf(h: WorkerHarness, pid: number | undefined): Promise<WorkerView> {
  const store = new WorkerStore(h.state, h.statePrefix);
  return waitFor(`the record of worker ${pid}`, async () => (await store.list()).find((w) => w.pid === pid));
}

describe('worker record', () => {
  it('is named triage@<host>:<pid> by default and by TRIAGE_WORKER_NAME when set; a lane group lists its lanes', async () => {
    const q = uniqueName('w-name');
    const group = uniqueName('w-name-lanes');
    const lanes = ['hi', 'mid', 'lo'].map((l) => `${group}-${l}`);
    harness = new WorkerHarness(redisTarget, {
      queues: [{ name: q }],
      laneGroups: [{ name: group, lanes: [{ queue: lanes[0]!, priorities: [0, 2] }, { queue: lanes[1]!, priorities: [3, 5] }, { queue: lanes[2]!, priorities: [6, 9] }] }],
    });
    const h = harness;

    const plain = await h.spawnWorker({ queues: [q], concurrency: 1 });
    const first = await recordOf(h, plain.pid);
    expect(first.name).toBe(`triage@${hostname()}:${plain.pid}`);
    expect(first.id.startsWith(`${first.name}:`)).toBe(true);
    expect(first.lanes ?? {}).toEqual({});

    const named = await h.spawnWorker({ queues: [group, q], concurrency: 2, env: { TRIAGE_WORKER_NAME: 'reports@%h' } });
    const second = await recordOf(h, named.pid);
    expect(second.name).toBe(`reports@${hostname()}`);
    expect(second.queues).toEqual([group, q]);
    // Lane after lane, most urgent first: the order the worker takes them in.
    expect(second.lanes).toEqual({ [group]: lanes });
  });
});
