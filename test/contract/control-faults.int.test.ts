import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import type { ControlCapabilities } from '@/lib/brokers/types';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from '@/test/support';
import { UndoRecordStore } from '@/lib/state/undo-records';
import { randomDelay, runFaultChild } from '@/test/control/run-fault-child';
import { TARGETS, type ContractTarget, type RawQueues } from './targets';

/**
 * Fault injection, once for every broker kind: a child process runs a 50,000-message drain
 * (or a 10,000-message reprioritize in place) and is SIGKILLed at a random moment, several
 * times. After every kill each task id must still be waiting somewhere (exactly once where
 * moves are atomic; otherwise duplicates are allowed, losses never), and a final re-run
 * completes the job.
 */
describe.each(TARGETS)('killing the process mid-operation on $kind loses nothing', (target: ContractTarget) => {
  let raw: RawQueues;
  let capabilities: ControlCapabilities;
  const names: string[] = [];
  const config = target.config({});

  beforeAll(async () => {
    raw = await target.openRaw();
    const broker = createBroker(config);
    capabilities = broker.control.capabilities;
    await broker.close();
  });
  afterAll(async () => {
    await raw.remove(names);
    await raw.close();
  });

  /**
   * Ids of `all` missing from every one of `queues` (and what a killed run left in helper
   * queues), once the killed child's unacknowledged messages are back. Counts alone cannot
   * tell when that is: copies a kill left in the target can make the total reach the number
   * of ids while the broker is still requeueing. So this reads until every id is there; a
   * message really lost never comes back, and the wait ends with the ids still missing.
   */
  async function missingAfterRequeue(queues: string[], all: Set<string>): Promise<{ missing: string[]; present: string[] }> {
    let missing: string[] = [];
    let present: string[] = [];
    await waitFor(
      'the killed process\'s messages to be back',
      async () => {
        present = [];
        for (const q of queues) for (const other of [q, ...(await raw.leftovers(q))]) present.push(...(await raw.read(other)).map((m) => m.id));
        const seen = new Set(present);
        missing = [...all].filter((id) => !seen.has(id));
        return missing.length === 0;
      },
      60_000,
      250,
    ).catch(() => {
      // Timed out: `missing` holds what never came back, and the caller's assertion names it.
    });
    return { missing, present };
  }

  async function expectAllThere(queues: string[], all: Set<string>): Promise<void> {
    const { missing, present } = await missingAfterRequeue(queues, all);
    expect(missing).toEqual([]); // never in neither
    if (capabilities.atomicMove) expect(present.length).toBe(all.size); // never in both
  }

  it('drain of 50,000: every id in source or target after each kill; a re-run completes', async () => {
    const source = uniqueName('fault');
    const drained = `${source}.drained`;
    names.push(source);
    await raw.declare(source);
    const all = new Set(await raw.fill(source, Array.from({ length: 50_000 }, (_, i) => i % 10)));
    const input = { from: { config, queue: source }, to: { config, queue: drained } };
    for (const delay of [randomDelay(400), randomDelay(1500), randomDelay(6000)]) {
      const outcome = await runFaultChild(input, delay);
      await expectAllThere([source, drained], all);
      if (outcome === 'completed') break;
    }
    expect(await runFaultChild(input, null)).toBe('completed');
    expect(await raw.count(source)).toBe(0);
    const moved = (await raw.read(drained)).map((m) => m.id);
    const movedSet = new Set(moved);
    expect([...all].filter((id) => !movedSet.has(id))).toEqual([]);
    if (capabilities.atomicMove) expect(moved.length).toBe(all.size);
  }, 240_000);

  it('reprioritize of 10,000 in place: every id still in the queue after each kill; a re-run leaves every message at the new priority', async () => {
    const queue = uniqueName('fault-p');
    names.push(queue);
    await raw.declare(queue);
    const all = new Set(await raw.fill(queue, Array(10_000).fill(9)));
    const input = { from: { config, queue }, to: { config, queue }, priority: 0 };
    for (const delay of [randomDelay(1000), randomDelay(3000)]) {
      const outcome = await runFaultChild(input, delay);
      await expectAllThere([queue], all);
      if (outcome === 'completed') break;
    }
    expect(await runFaultChild(input, null)).toBe('completed');
    const after = await raw.read(queue);
    expect(after.filter((m) => m.level !== 0 || m.priority !== 0)).toEqual([]);
    expect(new Set(after.map((m) => m.id))).toEqual(all);
    expect(await raw.leftovers(queue)).toEqual([]);
  }, 240_000);

  it('reprioritize of 10,000 killed mid-way: its undo record names every message it had moved, with its former priority', async () => {
    const queue = uniqueName('fault-u');
    names.push(queue);
    await raw.declare(queue);
    const all = new Set(await raw.fill(queue, Array(10_000).fill(9)));
    const prefix = `${uniqueName('fault-undo')}:`;
    const state = rawRedis();
    try {
      const undo = { redisUrl: REDIS_URL, prefix, operationId: 'killed-op' };
      const outcome = await runFaultChild({ from: { config, queue }, to: { config, queue }, priority: 0, batchSize: 200, undo }, randomDelay(1500));
      await expectAllThere([queue], all);
      const records = new Map((await new UndoRecordStore(state, prefix).items('killed-op')).map((i) => [i.id, i.priority]));
      // Moved: at the new level, in the queue or in a helper queue the killed run left.
      const lists = await Promise.all([queue, ...(await raw.leftovers(queue))].map((q) => raw.read(q)));
      const moved = lists.flat().filter((m) => m.level === 0).map((m) => m.id);
      expect(['killed', 'completed']).toContain(outcome);
      expect(moved.filter((id) => records.get(id) !== 9)).toEqual([]);
    } finally {
      await deleteKeysLike(state, prefix);
      await state.quit();
    }
  }, 240_000);
});
