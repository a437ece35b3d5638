/**
 * `npm run bench -- worker-redis`: no-op tasks end to end through the bundled worker on
 * Redis (strict-priority take across the queue's step lists with kombu's unacked
 * bookkeeping, decode, validate, run, task record + events, ack), at concurrency 1 and
 * 100, beside, in the same run and on the same Redis:
 *  - raw awaited pop: one ioredis `BRPOP` over the same step lists, awaited per message;
 *  - raw pipelined pop: the same `BRPOP`, 100 per pipeline;
 *  - a BullMQ 6.7 worker at the same concurrency draining the same number of prioritized
 *    jobs (600-byte data, added with addBulk before it starts; BullMQ's defaults otherwise).
 *
 * Env: BENCH_TASKS (default 20000 per run: at concurrency 100 a 5,000-task run lasted a quarter of a second and swung by 30%), BENCH_RUNS (default 3), BENCH_WARMUP (unmeasured rounds first, default 1), REDIS_URL.
 */
import { Queue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import type { RedisBrokerConfig } from '@/lib/brokers/redis/config';
import { plainLayout } from '@/lib/brokers/redis/layout';
import type { QueueBroker } from '@/lib/brokers/types';
import { REDIS_URL, Rounds, benchIds, cleanup, figure, noopItems, openBroker, payloadArgs, triageRun, writeResults, type BenchIds, type Figure } from './worker-common';

const TASKS = Number(process.env.BENCH_TASKS ?? 20000);
const PIPELINE = 100;

function stepKeys(ids: BenchIds): string[] {
  const config = ids.config.brokers.find((b) => b.id === 'redis') as RedisBrokerConfig;
  return plainLayout(config, ids.queue, undefined).lists.map((l) => l.key);
}

async function rawAwaited(broker: QueueBroker, ids: BenchIds): Promise<number> {
  await broker.enqueue(ids.queue, noopItems(TASKS));
  const client = new Redis(REDIS_URL);
  const keys = stepKeys(ids);
  const started = performance.now();
  for (let i = 0; i < TASKS; i++) await client.brpop(...keys, 1);
  const seconds = (performance.now() - started) / 1000;
  client.disconnect();
  return TASKS / seconds;
}

async function rawPipelined(broker: QueueBroker, ids: BenchIds): Promise<number> {
  await broker.enqueue(ids.queue, noopItems(TASKS));
  const client = new Redis(REDIS_URL);
  const keys = stepKeys(ids);
  const started = performance.now();
  for (let left = TASKS; left > 0; left -= PIPELINE) {
    const pipeline = client.pipeline();
    for (let i = 0; i < Math.min(PIPELINE, left); i++) pipeline.brpop(...keys, 1);
    await pipeline.exec();
  }
  const seconds = (performance.now() - started) / 1000;
  client.disconnect();
  return TASKS / seconds;
}

async function bullmq(ids: BenchIds, concurrency: number, run: number): Promise<number> {
  const name = `${ids.queue}-bull-${run}-${concurrency}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix: `bench-${ids.id}-bull` });
  // BullMQ: priority 1 is the most urgent (0 means "no priority").
  const jobs = noopItems(TASKS).map((item) => ({ name: 'noop', data: { args: payloadArgs }, opts: { priority: item.priority + 1 } }));
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = new BullWorker(name, async () => null, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix: `bench-${ids.id}-bull`, concurrency, autorun: false });
  worker.on('completed', () => {
    done += 1;
    if (done === TASKS) finish();
  });
  const started = performance.now();
  void worker.run();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return TASKS / seconds;
}

export async function main(): Promise<void> {
  const ids = benchIds('worker-redis');
  const state = new Redis(REDIS_URL);
  const figures: Figure[] = [];
  const rounds = new Rounds();
  const broker = await openBroker(ids, 'redis');
  try {
    if (!broker) return;
    for (const round of rounds) {
      round.add('raw-awaited', await rawAwaited(broker, ids));
      round.add('triage-c1', await triageRun(broker, ids, state, 1, TASKS));
      round.add('bullmq-c1', await bullmq(ids, 1, round.index));
      round.add('raw-pipelined', await rawPipelined(broker, ids));
      round.add('triage-c100', await triageRun(broker, ids, state, 100, TASKS));
      round.add('bullmq-c100', await bullmq(ids, 100, round.index));
    }
    figures.push(
      figure({ figure: 'concurrency 1', baseline: 'ioredis awaited BRPOP, same lists', target: '≥ 0.60' }, rounds.get('triage-c1'), rounds.get('raw-awaited')),
      figure({ figure: 'concurrency 1', baseline: 'BullMQ worker, concurrency 1', target: '≥ 1.5' }, rounds.get('triage-c1'), rounds.get('bullmq-c1')),
      figure({ figure: 'concurrency 100', baseline: `ioredis pipelined BRPOP (${PIPELINE}/pipeline)`, target: '≥ 0.50' }, rounds.get('triage-c100'), rounds.get('raw-pipelined')),
      figure({ figure: 'concurrency 100', baseline: 'BullMQ worker, concurrency 100', target: '≥ 1.5' }, rounds.get('triage-c100'), rounds.get('bullmq-c100')),
    );
  } finally {
    await broker?.close().catch(() => {});
    state.disconnect();
    await cleanup(ids);
  }
  writeResults(
    'worker-redis',
    'Worker on Redis: no-op tasks end to end',
    [
      `${TASKS} tasks per run. Triage = the bundled worker's pipeline: strict-priority take over the queue's 4 step lists recorded in kombu's unacked/unacked_index (Lua), decode, validate, run, task record + 3 events written to the state Redis (same server), ack.`,
      'Raw pops do none of that: no bookkeeping, a message popped by a crashed consumer is lost. BullMQ keeps completed jobs (its default).',
    ],
    figures,
    { tasks: TASKS, samples: rounds.samples },
  );
}
