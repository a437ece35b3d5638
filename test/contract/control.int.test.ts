import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import type { MovedMessage, QueueBroker } from '@/lib/brokers/types';
import { uniqueName, waitFor } from '@/test/support';
import { executeInOrder } from '@/test/control/helpers';
import { TARGETS, type ContractTarget, type RawQueues } from './targets';

/**
 * The control primitives' contract (BrokerControl: reprioritize and move through
 * `relocate`, drain, restore to the front, extract), once for every broker kind, against
 * the real broker: queue contents are read back raw, in delivery order, after every
 * operation. What a kind guarantees beyond the contract is asserted by its capabilities
 * (atomicMove: exactly once; frontInsert: restores go ahead of newer messages).
 */
describe.each(TARGETS)('control on $kind', (target: ContractTarget) => {
  let raw: RawQueues;
  let broker: QueueBroker;
  const names: string[] = [];

  beforeAll(async () => {
    raw = await target.openRaw();
    broker = createBroker(target.config({}));
    await broker.connect();
  });
  afterEach(async () => {
    await raw.remove(names.splice(0));
  });
  afterAll(async () => {
    await broker.close();
    await raw.close();
  });

  /** A declared, empty queue of this test's own. */
  async function queue(label: string): Promise<string> {
    const q = uniqueName(label);
    names.push(q);
    await raw.declare(q);
    return q;
  }

  const ids = async (q: string) => (await raw.read(q)).map((m) => m.id);

  it('reprioritizes 10,000 messages: new priority, none lost or duplicated, FIFO kept, untouched ones left as they were, a worker executes them in the new order', async () => {
    const q = await queue('c-reprio');
    const urgent = await raw.fill(q, Array(2000).fill(0));
    const low = await raw.fill(q, Array(10_000).fill(9));
    const before = await raw.read(q);

    const progress: number[] = [];
    const result = await broker.control.relocate(q, { priorities: [9] }, { queue: q, priority: 0 }, { onProgress: (p) => progress.push(p.moved) });
    expect(result).toMatchObject({ matched: 10_000, moved: 10_000 });
    expect(progress.length).toBeGreaterThanOrEqual(20); // bounded batches, reported one by one
    expect(progress.at(-1)).toBe(10_000);

    const after = await raw.read(q);
    // Urgent first (untouched), then the moved ones in their old order, all at priority 0.
    expect(after.map((m) => m.id)).toEqual([...urgent, ...low]);
    expect(after.every((m) => m.level === 0 && m.priority === 0)).toBe(true);
    expect(after.slice(0, 2000).map((m) => m.stored)).toEqual(before.slice(0, 2000).map((m) => m.stored));
    // Whatever helper queues the run used are gone once it completed.
    expect(await raw.leftovers(q)).toEqual([]);

    // The worker's consumer (one slot) then executes them in exactly this order.
    expect(await executeInOrder(broker, q, 12_000, `${q}-state:`)).toEqual([...urgent, ...low]);
    expect(await raw.count(q)).toBe(0);
  });

  it('a dry run counts without taking anything; a move of a selection leaves the rest in order and keeps each moved message at its own priority', async () => {
    const q = await queue('c-dry');
    const all = await raw.fill(q, [0, 5, 5, 9], 'a.task');
    const before = await raw.read(q);
    expect(await broker.control.relocate(q, { task: 'a.task', priorities: [5] }, { queue: q, priority: 0 }, { dryRun: true })).toMatchObject({ matched: 2, moved: 0 });
    expect((await raw.read(q)).map((m) => [m.id, m.level])).toEqual(before.map((m) => [m.id, m.level]));

    const other = uniqueName('c-dry-to');
    names.push(other);
    await broker.control.prepareTarget(other, { create: true, like: q });
    expect(await broker.control.relocate(q, { ids: [all[1]!, all[3]!] }, { queue: other, priority: null })).toMatchObject({ matched: 2, moved: 2 });
    expect(await ids(q)).toEqual([all[0], all[2]]);
    expect((await raw.read(other)).map((m) => [m.id, m.priority])).toEqual([
      [all[1], 5],
      [all[3], 9],
    ]);
  });

  it('moves every copy a selection of ids finds, and reports which ids it found', async () => {
    const q = await queue('c-ids');
    const [a, b, c] = await raw.fill(q, [6, 6, 6]);
    const dry = await broker.control.relocate(q, { ids: [a!, c!, 'nope'] }, { queue: q, priority: 0 }, { dryRun: true });
    expect(dry).toMatchObject({ matched: 2, moved: 0 });
    expect([...(dry.foundIds ?? [])].sort()).toEqual([a, c].sort());
    expect(await broker.control.relocate(q, { ids: [a!, c!] }, { queue: q, priority: 0 })).toMatchObject({ matched: 2, moved: 2 });
    expect((await raw.read(q)).map((m) => [m.id, m.level])).toEqual([
      [a, 0],
      [c, 0],
      [b, 6],
    ]);
  });

  it('drains while consumers take messages: every message consumed, drained or left; exactly once where moves are atomic', async () => {
    const q = await queue('c-busy');
    const all = await raw.fill(q, Array.from({ length: 20_000 }, (_, i) => i % 10));
    await broker.control.prepareTarget(`${q}.drained`, { create: true, like: q });
    const consumers = raw.consumeWhile(q, 2);
    const result = await broker.control.relocate(q, {}, { queue: `${q}.drained`, priority: null }, { batchSize: 200 });
    const consumed = await consumers.stop();
    const drained = await ids(`${q}.drained`);
    expect(result.moved).toBe(drained.length);
    expect(consumed.length).toBeGreaterThan(0);
    const everything = [...consumed, ...drained, ...(await ids(q))];
    expect(new Set(everything)).toEqual(new Set(all)); // nothing lost
    if (broker.control.capabilities.atomicMove) expect(everything.length).toBe(all.length); // nothing twice
  });

  it('a filtered move while consumers take leaves no selected message behind and loses none', async () => {
    const q = await queue('c-filtered');
    const target = uniqueName('c-filtered-to');
    names.push(target);
    const all = await raw.fill(q, Array.from({ length: 12_000 }, () => 6), 'mixed');
    // Every third message is not selected: it stays while consumers take around it.
    const selectedIds = all.filter((_, i) => i % 3 !== 0);
    await broker.control.prepareTarget(target, { create: true, like: q });
    const consumers = raw.consumeWhile(q, 1);
    const result = await broker.control.relocate(q, { ids: selectedIds }, { queue: target, priority: null }, { batchSize: 100 });
    const consumed = await consumers.stop();
    const moved = await ids(target);
    const left = await ids(q);
    expect(result.moved).toBe(moved.length);
    expect(consumed.length).toBeGreaterThan(0);
    const selected = new Set(selectedIds);
    expect(left.filter((id) => selected.has(id))).toEqual([]); // none skipped over
    const everything = [...consumed, ...moved, ...left];
    expect(new Set(everything)).toEqual(new Set(all));
    if (broker.control.capabilities.atomicMove) expect(everything.length).toBe(all.length);
  });

  it('extract hands batches to the sink before removing them (a failing sink removes nothing), and deletes without one', async () => {
    const q = await queue('c-extract');
    const chosen = await raw.fill(q, [0, 3, 9], 'a.task');
    const [other] = await raw.fill(q, [0], 'b.task');
    const failing = { write: async () => Promise.reject(new Error('the archive is full')) };
    await expect(broker.control.extract(q, { task: 'a.task' }, failing)).rejects.toThrow(/archive is full/);
    await waitFor('every message back in the queue', async () => (await raw.count(q)) === 4);
    expect(new Set(await ids(q))).toEqual(new Set([...chosen, other]));

    const seen: string[] = [];
    const stillWaiting: boolean[] = [];
    const result = await broker.control.extract(q, { task: 'a.task' }, {
      write: async (batch) => {
        // The batch is still in the queue: only earlier batches are gone.
        stillWaiting.push((await raw.count(q)) === 4 - seen.length);
        seen.push(...batch.map((m) => m.id!));
      },
    });
    expect(result).toMatchObject({ matched: 3, moved: 3 });
    expect(seen).toEqual(chosen);
    // Where a batch moves atomically, the messages are still waiting while the sink stores them.
    if (broker.control.capabilities.atomicMove) expect(stillWaiting.length > 0 && stillWaiting.every(Boolean)).toBe(true);
    expect(await ids(q)).toEqual([other]);
    expect(await broker.control.extract(q, {}, null)).toMatchObject({ moved: 1 });
    expect(await raw.count(q)).toBe(0);
  });

  it('records each batch it moves or removes, with each message\'s former priority, before the batch leaves; a failing record stops the run with nothing unrecorded moved', async () => {
    const q = await queue('c-record');
    const all = await raw.fill(q, [...Array<number>(600).fill(2), ...Array<number>(600).fill(7)]);
    const recorded: MovedMessage[] = [];
    // Everything: the path that moves whole lists on the broker where it can.
    const result = await broker.control.relocate(q, {}, { queue: q, priority: 5 }, { batchSize: 200, record: async (batch) => void recorded.push(...batch) });
    expect(result).toMatchObject({ matched: 1200, moved: 1200 });
    expect(recorded).toHaveLength(1200);
    expect(new Map(recorded.map((m) => [m.id, m.priority]))).toEqual(new Map(all.map((id, i) => [id, i < 600 ? 2 : 7])));

    // A selection, and a removal, record what they take too; a dry run records nothing.
    const chosen = await raw.fill(q, [3, 3], 'picked');
    const taken: MovedMessage[] = [];
    await broker.control.relocate(q, { task: 'picked' }, { queue: q, priority: 1 }, { dryRun: true, record: async (batch) => void taken.push(...batch) });
    expect(taken).toEqual([]);
    await broker.control.extract(q, { task: 'picked' }, null, { record: async (batch) => void taken.push(...batch) });
    expect(taken.map((m) => [m.id, m.priority])).toEqual(chosen.map((id) => [id, 3]));

    const q2 = await queue('c-record-fail');
    await raw.fill(q2, Array<number>(1000).fill(3));
    const got = new Set<string>();
    let calls = 0;
    const failing = async (batch: readonly MovedMessage[]) => {
      if (++calls === 3) throw new Error('the state Redis is down');
      for (const m of batch) got.add(m.id!);
    };
    await expect(broker.control.relocate(q2, {}, { queue: q2, priority: 8 }, { batchSize: 100, record: failing })).rejects.toThrow(/state Redis is down/);
    // What moved (now at level 8, here or in a helper queue of the run) was recorded first.
    const moved = async () => {
      const entries = [...(await raw.read(q2)), ...(await Promise.all((await raw.leftovers(q2)).map((h) => raw.read(h)))).flat()];
      return entries.filter((m) => m.priority === 8).map((m) => m.id);
    };
    await waitFor('every message back in sight', async () => (await raw.count(q2)) + (await Promise.all((await raw.leftovers(q2)).map((h) => raw.count(h)))).reduce((a, b) => a + b, 0) === 1000);
    const atEight = await moved();
    expect(atEight.length).toBeGreaterThan(0);
    expect(atEight.filter((id) => !got.has(id))).toEqual([]);
  });

  it('relocates each id of a selection to its own given priority (what an undo asks), in the queue or to another', async () => {
    const q = await queue('c-each');
    const [a, b, c, d, e] = await raw.fill(q, [3, 3, 7, 7, 7]);
    const each = new Map([
      [a!, 0],
      [b!, 9],
      [c!, 5],
      [d!, 7],
    ]);
    const result = await broker.control.relocate(q, { ids: [a!, b!, c!, d!] }, { queue: q, priority: null, priorities: each });
    expect(result.matched).toBe(4);
    await waitFor('every message back in sight', async () => (await raw.count(q)) === 5);
    const after = new Map((await raw.read(q)).map((m) => [m.id, m.priority]));
    expect([a, b, c, d, e].map((id) => after.get(id!))).toEqual([0, 9, 5, 7, 7]);

    const other = uniqueName('c-each-to');
    names.push(other);
    await broker.control.prepareTarget(other, { create: true, like: q });
    await broker.control.relocate(q, { ids: [a!, b!] }, { queue: other, priority: 4, priorities: new Map([[a!, 8]]) });
    expect(new Map((await raw.read(other)).map((m) => [m.id, m.priority]))).toEqual(new Map([[b!, 4], [a!, 8]]));
  });

  it('restores a whole queue to the front of another, batch after batch: per level, the restored ones in their order ahead of what was there', async ({ skip }) => {
    if (!broker.control.capabilities.frontInsert) skip('appends only: restored messages queue behind newer ones');
    const parked = await queue('c-front-from');
    const q = await queue('c-front-to');
    // Several levels, each longer than a batch, priorities sharing levels where the layout folds them.
    const old = await raw.fill(parked, [2, 1, 0, 1, 7, 2, 9, 6, 1, 0, 8, 2, 1, 4, 3]);
    const newer = await raw.fill(q, [1, 6, 9, 0]);
    const oldOrder = await raw.read(parked);
    const result = await broker.control.relocate(parked, {}, { queue: q, priority: null, at: 'front' }, { batchSize: 2 });
    expect(result).toEqual({ matched: 15, moved: 15 });
    expect(await raw.count(parked)).toBe(0);
    const after = await raw.read(q);
    const levels = [...new Set(after.map((m) => m.level))];
    const newerAt = new Map(after.filter((m) => newer.includes(m.id)).map((m) => [m.id, m.level]));
    expect(after.map((m) => m.id)).toEqual(
      levels.flatMap((level) => [...oldOrder.filter((m) => m.level === level).map((m) => m.id), ...newer.filter((id) => newerAt.get(id) === level)]),
    );
    expect(old).toHaveLength(15);
    // Nothing else is allowed at the front: a selection would reorder what stays.
    await expect(broker.control.relocate(q, { priorities: [1] }, { queue: parked, priority: null, at: 'front' })).rejects.toMatchObject({ code: 'INVALID' });
  });
  it('reads what arrived since a cursor without taking it, and moves or removes arrivals: old messages never count as arrivals, consumers popping the marker do not make old ones new', async ({ skip }) => {
    if (!broker.control.capabilities.arrivals) {
      // By capability: the kind says why, never a silent no-op.
      const q = await queue('c-arr-no');
      await expect(broker.control.readArrivals(q, null, 100)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('"arrivals"') });
      skip('cannot read arriving messages in place');
    }
    const q = await queue('c-arr');
    const old = await raw.fill(q, [1, 1, 0, 9], 'a.old');
    const start = await broker.control.readArrivals(q, null, 100);
    expect(start.arrivals).toEqual([]);
    let cursor = start.next(new Set());

    const first = await raw.fill(q, [1, 1, 0, 1], 'a.report');
    const read = await broker.control.readArrivals(q, cursor, 100);
    // Oldest first, per list; nothing old, nothing taken.
    expect(read.arrivals.map((a) => a.id).sort()).toEqual([...first].sort());
    expect(read.arrivals.filter((a) => a.priority === 1).map((a) => a.id)).toEqual(first.filter((_, i) => i !== 2));
    expect(await raw.count(q)).toBe(8);

    const p1 = read.arrivals.filter((a) => a.priority === 1);
    const { moved, left } = await broker.control.relocateArrivals(q, p1, { queue: q, priority: 8 });
    expect(moved).toBe(3);
    cursor = read.next(new Set(left));
    const after = await raw.read(q);
    expect(after.filter((m) => m.priority === 8).map((m) => m.id)).toEqual(p1.map((a) => a.id));
    expect(after.filter((m) => old.includes(m.id)).map((m) => m.priority).sort()).toEqual([0, 1, 1, 9]);

    // A moved message re-read (a leader died before saving its cursor) is found in place: nothing happens twice.
    const again = await broker.control.readArrivals(q, cursor, 100);
    expect(again.arrivals.filter((a) => a.priority === 1).map((a) => [a.id, old.includes(a.id!)])).toEqual([]);
    const twice = await broker.control.relocateArrivals(q, again.arrivals.filter((a) => a.priority === 8), { queue: q, priority: 8 });
    expect(twice.moved).toBe(0);
    cursor = again.next(new Set(twice.left));

    // Consumers take everything old (the marker included): only later pushes are arrivals.
    await raw.remove([q]);
    await raw.declare(q);
    const late = await raw.fill(q, [2], 'a.late');
    const fresh = await broker.control.readArrivals(q, cursor, 100);
    expect(fresh.arrivals.map((a) => a.id)).toEqual(late);

    // Removal hands them to the sink first.
    const archived: string[] = [];
    expect(await broker.control.removeArrivals(q, fresh.arrivals, { write: async (batch) => void archived.push(...batch.map((m) => m.id!)) })).toBe(1);
    expect(archived).toEqual(late);
    expect(await raw.count(q)).toBe(0);
  });
});
