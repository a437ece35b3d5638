import { describe, expect, it } from 'vitest';
import { SlotAcks } from './consume-acks';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function slotAcks(fail = false) {
  const sent: string[][] = [];
  const failures: unknown[] = [];
  const acks = new SlotAcks(
    async (tags) => {
      if (fail) throw new Error('redis down');
      sent.push(tags);
    },
    (error) => failures.push(error),
  );
  return { acks, sent, failures };
}

describe('SlotAcks', () => {
  it('hands an ack to a take only once its record is on the wire', async () => {
    const { acks } = slotAcks();
    const record = deferred();
    acks.add('t1', record.promise);
    expect(acks.takeReady()).toEqual([]);
    record.resolve();
    await record.promise;
    expect(acks.takeReady()).toEqual(['t1']);
    // Handed over: the next take does not carry it again.
    expect(acks.takeReady()).toEqual([]);
  });

  it('an ack without a record to wait for is ready at once, in order', () => {
    const { acks } = slotAcks();
    acks.add('t1');
    acks.add('t2');
    expect(acks.takeReady()).toEqual(['t1', 't2']);
  });

  it('a ready ack does not wait for a long task: it goes on its own in the next turn', async () => {
    const { acks, sent } = slotAcks();
    acks.add('t1');
    acks.started();
    await nextTurn();
    await nextTurn();
    expect(sent).toEqual([['t1']]);
    expect(acks.takeReady()).toEqual([]);
  });

  it('a record finishing while the next task runs sends its ack on its own', async () => {
    const { acks, sent } = slotAcks();
    const record = deferred();
    acks.add('t1', record.promise);
    acks.started();
    await nextTurn();
    expect(sent).toEqual([]);
    record.resolve();
    await nextTurn();
    await nextTurn();
    expect(sent).toEqual([['t1']]);
  });

  it('a task finishing within the turn lets its take carry the ack: nothing is sent twice', async () => {
    const { acks, sent } = slotAcks();
    acks.add('t1');
    acks.started();
    acks.finished();
    expect(acks.takeReady()).toEqual(['t1']);
    await nextTurn();
    await nextTurn();
    expect(sent).toEqual([]);
  });

  it('a failed take gives its acks back, first in line', () => {
    const { acks } = slotAcks();
    acks.add('t1');
    acks.add('t2');
    const riding = acks.takeReady();
    acks.add('t3');
    acks.giveBack(riding);
    expect(acks.takeReady()).toEqual(['t1', 't2', 't3']);
  });

  it('flush waits for every record, then sends every ack in one call', async () => {
    const { acks, sent } = slotAcks();
    const record = deferred();
    acks.add('t1');
    acks.add('t2', record.promise);
    const flushed = acks.flush();
    await nextTurn();
    expect(sent).toEqual([]);
    record.resolve();
    await flushed;
    expect(sent).toEqual([['t1', 't2']]);
    expect(acks.takeReady()).toEqual([]);
  });

  it('a failed send keeps the acks for the next take', async () => {
    const { acks, failures } = slotAcks(true);
    acks.add('t1');
    await expect(acks.flush()).rejects.toThrow('redis down');
    expect(acks.takeReady()).toEqual(['t1']);
    acks.add('t2');
    acks.started();
    await nextTurn();
    await nextTurn();
    expect(failures).toHaveLength(1);
    expect(acks.takeReady()).toEqual(['t2']);
  });

  it('holds the slot when it runs two tasks ahead of its records, until the older record is sent', async () => {
    const { acks } = slotAcks();
    const first = deferred();
    const second = deferred();
    acks.add('t1', first.promise);
    expect(acks.roomForNext()).toBeUndefined();
    acks.add('t2', second.promise);
    let room = false;
    void acks.roomForNext()!.then(() => (room = true));
    await nextTurn();
    expect(room).toBe(false);
    first.resolve();
    await nextTurn();
    expect(room).toBe(true);
    expect(acks.takeReady()).toEqual(['t1']);
  });

  it('hands every pending ack over on a forced stop: records that arrive in time go as acks, the rest go back', async () => {
    const { acks, sent } = slotAcks();
    const late = deferred();
    const soon = deferred();
    acks.add('done');
    acks.add('soon', soon.promise);
    acks.add('late', late.promise);
    const handed = acks.handOver(50);
    soon.resolve();
    expect(await handed).toEqual({ ready: ['done', 'soon'], waiting: ['late'] });
    // Nothing is left for the slot to send afterwards.
    expect(acks.takeReady()).toEqual([]);
    await acks.flush();
    expect(sent).toEqual([]);
  });
});
