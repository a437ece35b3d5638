import { connect, type ChannelModel } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RabbitBrokerConfigSchema } from '../config';
import { TriageError } from '@/lib/shared/errors';
import { AMQP_URL, MANAGEMENT_URL, uniqueName, waitFor } from '@/test/support';
import { declareRabbit, fillRabbit, rabbitCount, readRabbit } from '@/test/control/helpers';
import { RabbitBroker } from '../rabbitmq-broker';
import { holdQueueName } from './rabbitmq-control';

/**
 * The RabbitMQ control primitives where AMQP shows: reprioritizing through a holding queue
 * (mixed levels, a run killed half-way) and refusing targets without x-max-priority or with a
 * length limit. Queue contents are read back in delivery order (manual-ack consumer, then
 * requeued). What both kinds share is in test/contract/control.int.test.ts.
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
});

async function fetchQueue(name: string): Promise<unknown> {
  const url = new URL(MANAGEMENT_URL);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  const res = await fetch(`${url.origin}/api/queues/%2F/${encodeURIComponent(name)}`, { headers: { authorization: `Basic ${auth}` } });
  return res.ok ? res.json() : null;
}
