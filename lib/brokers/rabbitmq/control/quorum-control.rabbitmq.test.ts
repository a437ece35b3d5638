import { connect, type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RabbitBrokerConfigSchema } from '../config';
import { AMQP_URL, MANAGEMENT_URL, uniqueName, waitFor } from '@/test/support';
import { declareRabbit, deleteRabbit, fillRabbit, rabbitCount } from '@/test/control/helpers';
import { RabbitBroker } from '../rabbitmq-broker';

/**
 * Control operations on quorum queues. A quorum queue settles acks through its Raft log,
 * and a channel that has more than a few dozen settlements on their way holds the rest
 * back; closing it then used to put those acked originals back in the source, so a
 * drain left copies that workers would run a second time. Every check reads both queues
 * in full, by id.
 */

let raw: ChannelModel;
let broker: RabbitBroker;
const created: string[] = [];

function quorumName(label: string): string {
  const q = uniqueName(label);
  created.push(q, `${q}.drained`);
  return q;
}

beforeAll(async () => {
  raw = await connect(AMQP_URL, { noDelay: true });
  broker = new RabbitBroker(RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  await broker.connect();
});

afterEach(async () => {
  await deleteRabbit(raw, ...created.splice(0));
});

afterAll(async () => {
  await broker.close();
  await raw.close();
});

const QUORUM = { 'x-queue-type': 'quorum' };

/**
 * Every id in a queue, read with a manual-ack consumer and put back by closing its channel.
 * The basic.get first is a round trip through the quorum queue's log: it is answered only
 * once everything the queue received before (the closed run's channel going away
 * included) is applied, and it finds leftovers even if the passive declare after it
 * undercounts. The prefetch covers the whole queue: test/control/helpers.ts readRabbit,
 * which sets none, stalled on a quorum queue of 10,000 here.
 */
async function idsIn(queue: string): Promise<string[]> {
  const ch = await raw.createChannel();
  const head = await ch.get(queue, { noAck: false });
  const { messageCount } = await ch.checkQueue(queue);
  const ids = head ? [String(head.properties.headers?.id)] : [];
  if (messageCount > 0) {
    await ch.prefetch(Math.min(messageCount + 1, 65_535));
    await new Promise<void>((resolve) => {
      void ch.consume(queue, (m) => {
        if (!m) return;
        ids.push(String(m.properties.headers?.id));
        if (ids.length >= messageCount + (head ? 1 : 0)) resolve();
      });
    });
  }
  await ch.close();
  // They go back asynchronously: the next operation must find them ready.
  await waitFor(`${ids.length} messages back in ${queue}`, async () => (await rabbitCount(raw, queue)) === ids.length);
  return ids;
}

function counted(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Each id exactly once, in any order. */
function expectEachOnce(actual: readonly string[], expected: readonly string[]): void {
  const duplicated = [...counted(actual)].filter(([, n]) => n > 1).length;
  expect({ size: actual.length, duplicated }).toEqual({ size: expected.length, duplicated: 0 });
  expect(new Set(actual)).toEqual(new Set(expected));
}

describe('RabbitControl on quorum queues', () => {
  it('drains 10,000 messages there and back three times: the source is empty each time and the target holds each id exactly once', async () => {
    const q = quorumName('qctl-drain');
    const parked = `${q}.drained`;
    await declareRabbit(raw, q, QUORUM);
    const ids = await fillRabbit(raw, q, Array(10_000).fill(5));
    await broker.control.prepareTarget(parked, { create: true, like: q });
    for (let round = 0; round < 3; round++) {
      expect(await broker.control.relocate(q, {}, { queue: parked, priority: null })).toMatchObject({ matched: 10_000, moved: 10_000 });
      expect((await idsIn(q)).length).toBe(0);
      expectEachOnce(await idsIn(parked), ids);
      // Back into the quorum queue, then out again: the quorum queue is the target once too.
      expect(await broker.control.relocate(parked, {}, { queue: q, priority: null })).toMatchObject({ matched: 10_000, moved: 10_000 });
      expect((await idsIn(parked)).length).toBe(0);
      expectEachOnce(await idsIn(q), ids);
    }
  });

  it('moves 9 in 10 of 10,000, then deletes 9 in 10 of the rest, scattered: exact counts, each id once, the rest left in place', async () => {
    const q = quorumName('qctl-subset');
    const to = `${q}.drained`;
    await declareRabbit(raw, q, QUORUM);
    const ids = await fillRabbit(raw, q, Array(10_000).fill(5));
    await broker.control.prepareTarget(to, { create: true, like: q });
    const moving = ids.filter((_, i) => i % 10 !== 0);
    expect(await broker.control.relocate(q, { ids: moving }, { queue: to, priority: null })).toMatchObject({ matched: 9000, moved: 9000 });
    const rest = ids.filter((_, i) => i % 10 === 0);
    // The moved ones are gone from the source and the others are all back (a quorum queue
    // does not keep the order of messages a closed channel gives back, so no order here).
    expectEachOnce(await idsIn(q), rest);
    expectEachOnce(await idsIn(to), moving);

    const deleting = rest.filter((_, i) => i % 10 !== 0);
    expect(await broker.control.extract(q, { ids: deleting }, null)).toMatchObject({ matched: 900, moved: 900 });
    expectEachOnce(await idsIn(q), rest.filter((_, i) => i % 10 === 0));
  });
});
