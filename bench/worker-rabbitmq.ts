/**
 * `npm run bench -- worker-rabbitmq`: no-op tasks end to end through the bundled worker on
 * RabbitMQ (one channel per slot, prefetch 1, manual ack after the task; decode, validate,
 * run, task record + events in the state Redis) at concurrency 1, 8 and 100, beside an
 * amqplib consumer that only acks (noDelay), at prefetch 1 (on one channel and on 8) and at
 * prefetch 100, on the same queue (x-max-priority 10) with the same contents, in the same run.
 * It also measures what priority levels themselves cost RabbitMQ: the same amqplib consumer
 * at prefetch 100 on queues declared without x-max-priority, with 4 and with 10 levels.
 *
 * Env: BENCH_TASKS (default 3000 per run), BENCH_RUNS (default 3), BENCH_WARMUP (unmeasured rounds first, default 1), AMQP_URL, REDIS_URL.
 */
import { connect, type Channel } from 'amqplib';
import { Redis } from 'ioredis';
import type { QueueBroker } from '@/lib/brokers/types';
import { AMQP_URL, PAYLOAD_BYTES, REDIS_URL, Rounds, benchIds, cleanup, figure, noopItems, openBroker, triageRun, writeResults, type BenchIds, type Figure } from './worker-common';

const TASKS = Number(process.env.BENCH_TASKS ?? 3000);

/** Tasks/s of amqplib consume + ack (nothing else) draining TASKS messages from `queue` over `channels`. */
async function drainRate(channels: readonly Channel[], queue: string): Promise<number> {
  let count = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  for (const channel of channels) {
    await channel.consume(queue, (message) => {
      if (!message) return;
      channel.ack(message);
      if (++count === TASKS) finish();
    });
  }
  await finished;
  return TASKS / ((performance.now() - started) / 1000);
}

/** Raw consume + ack on `channels` channels of one connection, each at `prefetch`, on the bench queue. */
async function raw(broker: QueueBroker, ids: BenchIds, prefetch: number, channels = 1): Promise<number> {
  await broker.enqueue(ids.queue, noopItems(TASKS));
  const model = await connect(AMQP_URL, { noDelay: true });
  try {
    const opened = await Promise.all(
      Array.from({ length: channels }, async () => {
        const channel = await model.createChannel();
        await channel.prefetch(prefetch);
        return channel;
      }),
    );
    return await drainRate(opened, ids.queue);
  } finally {
    await model.close();
  }
}

/** Raw consume + ack at prefetch 100 of TASKS 600-byte messages (priorities 0-9) on a fresh queue with `levels` (0: none). */
async function levelsCost(ids: BenchIds, levels: number, run: number): Promise<number> {
  const connection = await connect(AMQP_URL, { noDelay: true });
  const queue = `${ids.queue}-levels-${levels}-${run}`;
  try {
    const publisher = await connection.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true, arguments: levels > 0 ? { 'x-max-priority': levels } : {} });
    const body = Buffer.alloc(PAYLOAD_BYTES, 'x');
    for (let i = 0; i < TASKS; i++) publisher.sendToQueue(queue, body, { priority: i % 10, persistent: true });
    await publisher.waitForConfirms();
    const channel = await connection.createChannel();
    await channel.prefetch(100);
    const rate = await drainRate([channel], queue);
    await publisher.deleteQueue(queue);
    return rate;
  } finally {
    await connection.close();
  }
}

export async function main(): Promise<void> {
  const ids = benchIds('worker-rabbitmq');
  const state = new Redis(REDIS_URL);
  const figures: Figure[] = [];
  const rounds = new Rounds();
  const broker = await openBroker(ids, 'rabbitmq');
  try {
    if (!broker) return;
    for (const round of rounds) {
      round.add('raw-p1', await raw(broker, ids, 1));
      round.add('triage-c1', await triageRun(broker, ids, state, 1, TASKS));
      round.add('triage-c1-unrecorded', await triageRun(broker, ids, state, 1, TASKS, undefined, false));
      round.add('raw-p1x8', await raw(broker, ids, 1, 8));
      round.add('triage-c8', await triageRun(broker, ids, state, 8, TASKS));
      round.add('raw-p100', await raw(broker, ids, 100));
      round.add('triage-c100', await triageRun(broker, ids, state, 100, TASKS));
      for (const levels of [0, 4, 10]) round.add(`levels-${levels}`, await levelsCost(ids, levels, round.index));
    }
    figures.push(
      figure({ figure: 'concurrency 1 (prefetch 1)', baseline: 'amqplib consume + ack, prefetch 1', target: '≥ 0.85' }, rounds.get('triage-c1'), rounds.get('raw-p1')),
      // The bound of the row above: the same pipeline with no task records or events.
      figure(
        { figure: 'concurrency 1, task records and events left out (not a worker mode)', baseline: 'amqplib consume + ack, prefetch 1', target: '—' },
        rounds.get('triage-c1-unrecorded'),
        rounds.get('raw-p1'),
      ),
      figure({ figure: 'concurrency 1 (prefetch 1)', baseline: 'the same pipeline without task records and events', target: '—' }, rounds.get('triage-c1'), rounds.get('triage-c1-unrecorded')),
      // What worker-vs-celery's -c 8 row is bounded by on this machine.
      figure({ figure: 'concurrency 8 (prefetch 1 per slot)', baseline: 'amqplib consume + ack, 8 channels at prefetch 1', target: '—' }, rounds.get('triage-c8'), rounds.get('raw-p1x8')),
      figure({ figure: 'concurrency 100 (prefetch 1 per slot)', baseline: 'amqplib consume + ack, prefetch 1', target: '—' }, rounds.get('triage-c100'), rounds.get('raw-p1')),
      figure({ figure: 'concurrency 100 (prefetch 1 per slot)', baseline: 'amqplib consume + ack, prefetch 100', target: '—' }, rounds.get('triage-c100'), rounds.get('raw-p100')),
      figure({ figure: 'cost of levels: amqplib prefetch 100, x-max-priority 4', baseline: 'same, queue without x-max-priority', target: '—' }, rounds.get('levels-4'), rounds.get('levels-0')),
      figure({ figure: 'cost of levels: amqplib prefetch 100, x-max-priority 10', baseline: 'same, queue without x-max-priority', target: '—' }, rounds.get('levels-10'), rounds.get('levels-0')),
    );
  } finally {
    await broker?.close().catch(() => {});
    state.disconnect();
    await cleanup(ids);
  }
  writeResults(
    'worker-rabbitmq',
    'Worker on RabbitMQ: no-op tasks end to end',
    [
      `${TASKS} tasks per run, queue declared with x-max-priority 10. Triage = the bundled worker's pipeline: a channel per slot with prefetch 1 (nothing beyond the running tasks leaves the queue, so priority holds), decode, validate, run, task record + 3 events written to the state Redis, manual ack.`,
      'Raw = one amqplib channel that only acks (noDelay). Prefetch 100 lets RabbitMQ hand out 100 messages ahead, which a strict-priority worker must not do.',
      "Records left out: the same pipeline with a recorder that writes nothing, to show what the dashboard's task records and events cost at concurrency 1 (each task's record is on the wire to the state Redis before its ack, so it is on the task's critical path; Redis, RabbitMQ and the worker share the 2 cores).",
    ],
    figures,
    { tasks: TASKS, samples: rounds.samples },
  );
}
