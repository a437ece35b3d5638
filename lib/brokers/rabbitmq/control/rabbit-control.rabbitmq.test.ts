import { connect, type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RabbitBrokerConfigSchema } from '../config';
import { TriageError } from '@/lib/shared/errors';
import { AMQP_URL, MANAGEMENT_URL, uniqueName, waitFor } from '@/test/support';
import { declareRabbit, deleteRabbit, executeInOrder, fillRabbit, rabbitCount, readRabbit } from '@/test/control/helpers';
import { RabbitBroker } from '../rabbitmq-broker';
import { holdQueueName } from './rabbitmq-control';

/**
 * The RabbitMQ control primitives against a real broker: queue contents are read back in
 * delivery order (manual-ack consumer, then requeued) after every operation.
 */

let raw: ChannelModel;
let broker: RabbitBroker;
const created: string[] = [];

function queueName(label: string): string {
  const q = uniqueName(label);
  created.push(q, `${q}.drained`, `${q}.dead`, holdQueueName(q));
  return q;
}

beforeAll(async () => {
  raw = await connect(AMQP_URL, { noDelay: true });
  broker = new RabbitBroker(RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  await broker.connect();
});

afterEach(async () => {
  const ch = await raw.createChannel();
  for (const q of created.splice(0)) await ch.deleteQueue(q);
  await ch.close();
});

afterAll(async () => {
  await broker.close();
  await raw.close();
});

describe('RabbitControl', () => {
  it('reprioritizes 10,000 messages through a holding queue: new priority, none lost or duplicated, FIFO kept, a worker executes them in the new order', async () => {
    const q = queueName('mctl-reprio');
    await declareRabbit(raw, q);
    const urgent = await fillRabbit(raw, q, Array(2000).fill(0));
    const low = await fillRabbit(raw, q, Array(10_000).fill(9));
    const progress: number[] = [];
    const result = await broker.control.relocate(q, { priorities: [9] }, { queue: q, priority: 0 }, { onProgress: (p) => progress.push(p.moved) });
    expect(result).toMatchObject({ matched: 10_000, moved: 10_000 });
    expect(progress.length).toBeGreaterThanOrEqual(20);
    const after = await readRabbit(raw, q);
    // Wire priority 9 = Triage 0 for x-max-priority 10; delivered urgent first, then the moved ones in their old order.
    expect(after.every((m) => m.priority === 9)).toBe(true);
    expect(after.map((m) => m.id)).toEqual([...urgent, ...low]);
    // The worker's consumer (prefetch 1) then executes them in exactly this order.
    expect(await executeInOrder(broker, q, 12_000, `${q}-state:`)).toEqual([...urgent, ...low]);
    // The holding queue is gone once it is empty.
    expect(await fetchQueue(holdQueueName(q))).toBeNull();
  });

  it('reprioritizes mixed levels to one between them, then a selection to a lower one: exact counts, FIFO kept', async () => {
    const q = queueName('mctl-reprio-mixed');
    await declareRabbit(raw, q);
    const zeros = await fillRabbit(raw, q, Array(300).fill(0));
    const fives = await fillRabbit(raw, q, Array(300).fill(5));
    const nines = await fillRabbit(raw, q, Array(300).fill(9));
    // Level 3 is more urgent than some of them and less than others: all end up in their old order.
    expect(await broker.control.relocate(q, {}, { queue: q, priority: 3 }, { batchSize: 200 })).toEqual({ matched: 900, moved: 900 });
    const after = await readRabbit(raw, q);
    expect(after.map((m) => m.priority)).toEqual(Array(900).fill(6));
    expect(after.map((m) => m.id)).toEqual([...zeros, ...fives, ...nines]);
    // A selection made less urgent goes behind everything else, in its old order.
    expect(await broker.control.relocate(q, { ids: [...zeros.slice(0, 10), ...nines.slice(-10)] }, { queue: q, priority: 8 })).toMatchObject({
      matched: 20,
      moved: 20,
    });
    const last = await readRabbit(raw, q);
    expect(last.map((m) => m.id)).toEqual([...zeros.slice(10), ...fives, ...nines.slice(0, -10), ...zeros.slice(0, 10), ...nines.slice(-10)]);
  });

  it('finishes a reprioritize a killed run left in the holding queue', async () => {
    const q = queueName('mctl-hold');
    await declareRabbit(raw, q);
    await declareRabbit(raw, holdQueueName(q));
    const stranded = await fillRabbit(raw, holdQueueName(q), [0, 0]);
    const waiting = await fillRabbit(raw, q, [5, 9]);
    const result = await broker.control.relocate(q, { priorities: [9] }, { queue: q, priority: 1 });
    expect(result).toMatchObject({ matched: 1, moved: 1 });
    expect((await readRabbit(raw, q)).map((m) => m.id)).toEqual([...stranded, waiting[1], waiting[0]]);
  });

  it('dry run counts without taking anything; unmatched messages keep their place', async () => {
    const q = queueName('mctl-dry');
    await declareRabbit(raw, q);
    const ids = await fillRabbit(raw, q, [0, 5, 5, 9], 'a.task');
    expect(await broker.control.relocate(q, { task: 'a.task', priorities: [5] }, { queue: q, priority: 0 }, { dryRun: true })).toMatchObject({
      matched: 2,
      moved: 0,
    });
    expect((await readRabbit(raw, q)).map((m) => m.id)).toEqual(ids);
    // Move two of them to another queue: the rest stays in order.
    const other = queueName('mctl-dry-to');
    await broker.control.prepareTarget(other, { create: true, like: q });
    expect(await broker.control.relocate(q, { ids: [ids[1]!, ids[3]!] }, { queue: other, priority: null })).toMatchObject({ matched: 2, moved: 2 });
    expect((await readRabbit(raw, q)).map((m) => m.id)).toEqual([ids[0], ids[2]]);
    expect((await readRabbit(raw, other)).map((m) => [m.id, m.priority])).toEqual([
      [ids[1], 4],
      [ids[3], 0],
    ]);
  });

  it('refuses targets that would lose priority or messages, without touching the source', async () => {
    const q = queueName('mctl-bad');
    const plain = queueName('mctl-plain');
    const capped = queueName('mctl-capped');
    await declareRabbit(raw, q);
    await declareRabbit(raw, plain, {});
    await declareRabbit(raw, capped, { 'x-max-priority': 10, 'x-max-length': 5 });
    await fillRabbit(raw, q, [1, 2]);
    for (const target of [plain, capped]) {
      await waitFor('management API sees the queue', async () => (await fetchQueue(target)) !== null);
      const error = await broker.control.prepareTarget(target).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TriageError);
      expect((error as TriageError).code).toBe('UNPROCESSABLE');
    }
    expect(await rabbitCount(raw, q)).toBe(2);
  });

  it('drains while a consumer takes messages: each one consumed or drained, none lost', async () => {
    const q = queueName('mctl-busy');
    await declareRabbit(raw, q);
    const ids = await fillRabbit(raw, q, Array.from({ length: 10_000 }, (_, i) => i % 10));
    await broker.control.prepareTarget(`${q}.drained`, { create: true, like: q });
    const consumed: string[] = [];
    const ch = await raw.createChannel();
    await ch.prefetch(10);
    const { consumerTag } = await ch.consume(q, (m) => {
      if (!m) return;
      consumed.push(String(m.properties.headers?.id));
      ch.ack(m);
    });
    const result = await broker.control.relocate(q, {}, { queue: `${q}.drained`, priority: null });
    await ch.cancel(consumerTag);
    await ch.close();
    const drained = (await readRabbit(raw, `${q}.drained`)).map((m) => m.id);
    expect(result.moved).toBe(drained.length);
    expect(consumed.length).toBeGreaterThan(0);
    const left = (await readRabbit(raw, q)).map((m) => m.id);
    expect(new Set([...consumed, ...drained, ...left])).toEqual(new Set(ids));
  });
});

async function fetchQueue(name: string): Promise<unknown> {
  const url = new URL(MANAGEMENT_URL);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  const res = await fetch(`${url.origin}/api/queues/%2F/${encodeURIComponent(name)}`, { headers: { authorization: `Basic ${auth}` } });
  return res.ok ? res.json() : null;
}

void deleteRabbit;
