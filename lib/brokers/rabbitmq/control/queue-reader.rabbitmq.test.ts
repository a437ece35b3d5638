import { connect, type Channel, type ChannelModel, type Message } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, uniqueName } from '@/test/support';
import { declareRabbit, deleteRabbit, fillRabbit, rabbitCount, readRabbit } from '@/test/control/helpers';
import { openQueueReader, type QueueReaderOptions } from './queue-reader';

/**
 * The control plane's queue reader against a real RabbitMQ: it streams with a consumer,
 * falls back to basic.get once held messages would fill the prefetch, never reads past
 * its budget, and sees the end of a queue another consumer emptied.
 */

let raw: ChannelModel;
const created: string[] = [];

beforeAll(async () => {
  raw = await connect(AMQP_URL, { noDelay: true });
});

afterEach(async () => {
  await deleteRabbit(raw, ...created.splice(0));
});

afterAll(async () => {
  await raw.close();
});

async function filledQueue(label: string, priorities: readonly number[]): Promise<{ queue: string; ids: string[] }> {
  const queue = uniqueName(label);
  created.push(queue);
  await declareRabbit(raw, queue);
  return { queue, ids: await fillRabbit(raw, queue, priorities) };
}

const idOf = (m: Message) => String(m.properties.headers?.id);

/** Reads everything the reader gives, holding every message, in calls of `step`. */
async function readAll(channel: Channel, queue: string, options: Partial<QueueReaderOptions> & { budget: number }, step: number): Promise<string[]> {
  const reader = await openQueueReader(channel, queue, {
    prefetch: 30,
    holdLimit: 10,
    readyCount: async () => (await channel.checkQueue(queue)).messageCount,
    ...options,
  });
  const seen: string[] = [];
  for (;;) {
    const got = await reader.read(step);
    if (got.length === 0) break;
    expect(got.length).toBeLessThanOrEqual(step);
    for (const m of got) {
      seen.push(idOf(m));
      reader.hold();
    }
  }
  await reader.stop();
  return seen;
}

describe('openQueueReader', () => {
  it('gives the whole queue once, in delivery order, when held messages push it from the consumer to basic.get', async () => {
    // Mixed levels: delivery order is priority first, FIFO within a level.
    const priorities = Array.from({ length: 300 }, (_, i) => (i % 3) * 4);
    const { queue, ids } = await filledQueue('reader-order', priorities);
    const expected = [0, 4, 8].flatMap((level) => ids.filter((_, i) => priorities[i] === level));
    const channel = await raw.createChannel();
    // prefetch 30 and holdLimit 10: every message is held, so it switches after the first ten.
    const seen = await readAll(channel, queue, { budget: 300 }, 7);
    await channel.close();
    expect(seen).toEqual(expected);
    // Closing the channel put every held message back, in the same order.
    expect((await readRabbit(raw, queue)).map((m) => m.id)).toEqual(expected);
  });

  it('stops at its budget although more messages arrived since it started', async () => {
    const { queue, ids } = await filledQueue('reader-budget', Array(50).fill(5));
    const channel = await raw.createChannel();
    const later = await fillRabbit(raw, queue, Array(20).fill(5));
    const seen = await readAll(channel, queue, { budget: 50, prefetch: 200, holdLimit: 200 }, 16);
    await channel.close();
    expect(seen).toEqual(ids);
    expect(await rabbitCount(raw, queue)).toBe(70);
    expect((await readRabbit(raw, queue)).map((m) => m.id)).toEqual([...ids, ...later]);
  });

  it('ends when another consumer emptied the queue under it, without waiting for the budget', async () => {
    const { queue, ids } = await filledQueue('reader-dry', Array(40).fill(5));
    // The other consumer takes the tail half for good before the reader starts.
    const other = await raw.createChannel();
    for (let i = 0; i < 20; i++) await other.get(queue, { noAck: true });
    const channel = await raw.createChannel();
    const seen = await readAll(channel, queue, { budget: 40, prefetch: 200, holdLimit: 200, idleMs: 20 }, 100);
    await channel.close();
    await other.close();
    expect(seen).toEqual(ids.slice(20));
  });

  it('reads nothing from an empty budget and leaves no consumer behind', async () => {
    const { queue } = await filledQueue('reader-none', Array(5).fill(1));
    const channel = await raw.createChannel();
    expect(await readAll(channel, queue, { budget: 0 }, 10)).toEqual([]);
    expect((await channel.checkQueue(queue)).consumerCount).toBe(0);
    await channel.close();
  });
});
