/**
 * No-op tasks per second through the bundled worker's full pipeline (adapter consume →
 * decode → validate → run → task state + events in Redis → ack), at concurrency 1 and 8
 * on each broker, beside the raw consume rate of the same broker measured in the same
 * run: an ioredis BRPOP loop (Redis; no unacked bookkeeping at all) and an amqplib
 * consumer with prefetch 1 acking each message (RabbitMQ). Median of 3 runs each.
 *
 * Env: BENCH_TASKS (default 2000 per run), REDIS_URL, AMQP_URL, RABBITMQ_MANAGEMENT_URL.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { createBroker } from '@/lib/brokers/registry';
import type { QueueBroker } from '@/lib/brokers/types';
import { TriageConfigSchema, type TriageConfig } from '@/lib/config/schema';
import { createLogger } from '@/lib/logger';
import { TaskRecorder } from '@/lib/worker/recorder';
import { execute } from '@/lib/worker/executor';

const TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const RUNS = 3;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

interface Row {
  broker: string;
  concurrency: number;
  workerPerSec: number;
  rawPerSec: number;
  ratio: number;
  runs: { worker: number; raw: number }[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const noop = (n: number) => Array.from({ length: n }, () => ({ priority: Math.floor(Math.random() * 10), spec: { task: 'triage.tasks.noop' } }));

function benchConfig(id: string, queue: string): TriageConfig {
  return TriageConfigSchema.parse({
    statePrefix: `bench-${id}:`,
    stateRedisUrl: REDIS_URL,
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], unackedKey: `bench-${id}-unacked`, unackedIndexKey: `bench-${id}-unacked_index`, unackedMutexKey: `bench-${id}-unacked_mutex` },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: queue, maxPriority: 10 }] },
    ],
  });
}

/** Tasks/s of the worker pipeline draining `TASKS` no-ops that were enqueued while it was held. */
async function workerRun(broker: QueueBroker, config: TriageConfig, state: Redis, queue: string, concurrency: number): Promise<number> {
  let held = true;
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const recorder = new TaskRecorder(state, config.statePrefix, createLogger('bench', 'warn'));
  const logger = createLogger('bench', 'warn');
  const consumer = await broker.consume({
    queues: [queue],
    concurrency,
    statePrefix: config.statePrefix,
    isPaused: () => held,
    logger,
    onDelivery: async (delivery) => {
      await execute(delivery, { broker: broker.id, worker: 'bench', recorder, backoff: { baseMs: 1000, maxMs: 1000 }, durationScale: 0, logger });
      done += 1;
      if (done === TASKS) finish();
    },
  });
  await broker.enqueue(queue, noop(TASKS));
  const started = performance.now();
  held = false;
  consumer.nudge();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  return TASKS / seconds;
}

async function rawRedis(broker: QueueBroker, queue: string): Promise<number> {
  await broker.enqueue(queue, noop(TASKS));
  const client = new Redis(REDIS_URL);
  const keys = [queue, `${queue}\x06\x163`, `${queue}\x06\x166`, `${queue}\x06\x169`];
  const started = performance.now();
  for (let i = 0; i < TASKS; i++) await client.brpop(...keys, 1);
  const seconds = (performance.now() - started) / 1000;
  await client.quit();
  return TASKS / seconds;
}

async function rawRabbit(broker: QueueBroker, queue: string): Promise<number> {
  await broker.enqueue(queue, noop(TASKS));
  const model = await connect(AMQP_URL, { noDelay: true });
  const channel = await model.createChannel();
  await channel.prefetch(1);
  let count = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  await channel.consume(queue, (message) => {
    if (!message) return;
    channel.ack(message);
    if (++count === TASKS) finish();
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await model.close();
  return TASKS / seconds;
}

export async function main(): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const queue = `bench-worker-${id}`;
  const config = benchConfig(id, queue);
  const state = new Redis(REDIS_URL);
  const rows: Row[] = [];
  const brokers: QueueBroker[] = [];
  try {
    for (const brokerConfig of config.brokers) {
      const broker = createBroker(brokerConfig, { excludePrefixes: [config.statePrefix] });
      brokers.push(broker);
      await broker.connect();
      const health = await broker.health();
      if (!health.ok) {
        process.stdout.write(`skipping ${broker.id}: ${health.error ?? 'down'}\n`);
        continue;
      }
      for (const concurrency of [1, 8]) {
        const runs: { worker: number; raw: number }[] = [];
        for (let r = 0; r < RUNS; r++) {
          const raw = broker.kind === 'redis' ? await rawRedis(broker, queue) : await rawRabbit(broker, queue);
          const worker = await workerRun(broker, config, state, queue, concurrency);
          runs.push({ worker, raw });
          process.stdout.write(`  ${broker.id} c=${concurrency} run ${r + 1}: worker ${worker.toFixed(0)}/s, raw ${raw.toFixed(0)}/s\n`);
        }
        const workerPerSec = median(runs.map((x) => x.worker));
        const rawPerSec = median(runs.map((x) => x.raw));
        rows.push({ broker: broker.id, concurrency, workerPerSec, rawPerSec, ratio: workerPerSec / rawPerSec, runs });
      }
    }
  } finally {
    await Promise.all(brokers.map((b) => b.close().catch(() => {})));
    await cleanup(state, id, queue);
    await state.quit();
  }
  report(rows);
}

async function cleanup(state: Redis, id: string, queue: string): Promise<void> {
  for (const pattern of [`bench-${id}*`, `*${queue}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await state.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await state.del(...keys);
    } while (cursor !== '0');
  }
  try {
    const model = await connect(AMQP_URL);
    const channel = await model.createChannel();
    for (const name of [queue, `${queue}.dead`]) await channel.deleteQueue(name);
    await model.close();
  } catch {
    // RabbitMQ down: nothing was created there.
  }
}

function report(rows: Row[]): void {
  const at = new Date().toISOString();
  const lines = [
    `# Worker throughput (no-op tasks), ${at}`,
    '',
    `${TASKS} tasks per run, median of ${RUNS} runs; ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.`,
    'Worker = the full pipeline (consume, decode, validate, run, task state + events written to Redis, ack).',
    'Raw = the same broker with nothing but consuming: ioredis BRPOP loop (Redis), amqplib consume + ack with prefetch 1 (RabbitMQ), one consumer.',
    '',
    '| broker | concurrency | worker tasks/s | raw consume/s | worker / raw |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.broker} | ${r.concurrency} | ${r.workerPerSec.toFixed(0)} | ${r.rawPerSec.toFixed(0)} | ${r.ratio.toFixed(2)} |`),
    '',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const dir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'worker.md'), lines.join('\n'));
  writeFileSync(path.join(dir, `worker-${at.replace(/[:.]/g, '-')}.json`), JSON.stringify({ at, tasks: TASKS, runs: RUNS, rows }, null, 2));
}
