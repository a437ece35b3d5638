/**
 * Shared by the worker benchmarks: queue contents, the Triage worker pipeline run, medians
 * and the results table. Each figure is Triage's rate beside baselines measured in the
 * same run, as a ratio; every rate is the median of RUNS runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import { createBroker } from '@/lib/brokers/registry';
import type { EnqueueItem, QueueBroker } from '@/lib/brokers/types';
import { TriageConfigSchema, type TriageConfig } from '@/lib/config/schema';
import { createLogger } from '@/lib/logger';
import { execute } from '@/lib/worker/executor';
import { TaskRecorder } from '@/lib/worker/recorder';
import type { RevokeGuard } from '@/lib/worker/revoke-set';
import { WARMUP_ROUNDS } from './support';

export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
export const PAYLOAD_BYTES = 600;

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// The Celery body ([args, kwargs, embed]) of every bench task is PAYLOAD_BYTES long.
const EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };
const PAD = 'x'.repeat(PAYLOAD_BYTES - JSON.stringify([[''], {}, EMBED]).length);
export const payloadArgs = [PAD];

/** `n` no-op tasks with shuffled priorities 0–9 and 600-byte bodies. */
export function noopItems(n: number): EnqueueItem[] {
  return Array.from({ length: n }, () => ({ priority: Math.floor(Math.random() * 10), spec: { task: 'triage.tasks.noop', args: payloadArgs } }));
}

export interface BenchIds {
  id: string;
  queue: string;
  /** Prefix of the bench's own kombu unacked/unacked_index/unacked_mutex keys. */
  keyprefix: string;
  config: TriageConfig;
}

export function benchIds(kind: string): BenchIds {
  const id = randomUUID().slice(0, 8);
  const queue = `bench-${kind}-${id}`;
  const keyprefix = `benchq-${id}:`;
  const config = TriageConfigSchema.parse({
    statePrefix: `bench-${id}:`,
    stateRedisUrl: REDIS_URL,
    brokers: [
      {
        id: 'redis',
        kind: 'redis',
        url: REDIS_URL,
        unackedKey: `${keyprefix}unacked`,
        unackedIndexKey: `${keyprefix}unacked_index`,
        unackedMutexKey: `${keyprefix}unacked_mutex`,
        queues: [{ name: queue }],
      },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: queue, maxPriority: 10 }] },
    ],
  });
  return { id, queue, keyprefix, config };
}

export async function openBroker(ids: BenchIds, kind: 'redis' | 'rabbitmq'): Promise<QueueBroker | null> {
  const brokerConfig = ids.config.brokers.find((b) => b.id === kind)!;
  const broker = createBroker(brokerConfig, { excludePrefixes: [ids.config.statePrefix] });
  await broker.connect();
  const health = await broker.health();
  if (!health.ok) {
    process.stdout.write(`skipping ${kind}: ${health.error ?? 'down'}\n`);
    await broker.close().catch(() => {});
    return null;
  }
  return broker;
}

/**
 * The pipeline without its task records and events: what they cost is measured against
 * this. Not a mode of the worker (its records are the dashboard's task timelines).
 */
class UnrecordedTasks extends TaskRecorder {
  override touch(): void {}
}

/**
 * Tasks/s of the bundled worker's pipeline (adapter consume → decode → validate → run →
 * task record + events → ack) draining `tasks` no-ops enqueued while it was held; the
 * clock stops when the last is settled and every record write has been answered.
 * `records: false` leaves out the task records and events (see UnrecordedTasks); without
 * `revokes` nothing is checked for a revoke (the worker always checks).
 */
export async function triageRun(
  broker: QueueBroker,
  ids: BenchIds,
  state: Redis,
  concurrency: number,
  tasks: number,
  items = noopItems(tasks),
  records = true,
  revokes?: RevokeGuard,
): Promise<number> {
  let held = true;
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const logger = createLogger('bench', 'warn');
  const recorder = new (records ? TaskRecorder : UnrecordedTasks)(state, ids.config.statePrefix, logger);
  const consumer = await broker.consume({
    queues: [ids.queue],
    concurrency,
    statePrefix: ids.config.statePrefix,
    isPaused: () => held,
    logger,
    onDelivery: async (delivery) => {
      await execute(delivery, { broker: broker.id, worker: 'bench', recorder, backoff: { baseMs: 1000, maxMs: 1000 }, durationScale: 0, logger, revokes });
      done += 1;
      if (done === tasks) finish();
    },
  });
  await broker.enqueue(ids.queue, items);
  const started = performance.now();
  held = false;
  consumer.nudge();
  await finished;
  await recorder.drain();
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  return tasks / seconds;
}

export interface Figure {
  /** What Triage did, e.g. "concurrency 1". */
  figure: string;
  triage: number;
  baseline: string;
  baselineRate: number;
  target: string;
}

export function figure(f: Omit<Figure, 'triage' | 'baselineRate'>, triageRuns: number[], baselineRuns: number[]): Figure {
  return { ...f, triage: median(triageRuns), baselineRate: median(baselineRuns) };
}

/** Rates below 100/s keep two decimals (Celery on Redis runs about one task a second). */
export function rate(perSec: number): string {
  return perSec < 100 ? perSec.toFixed(2) : perSec.toFixed(0);
}

/**
 * Samples per contender over WARMUP_ROUNDS unmeasured rounds, then RUNS measured ones:
 * `for (const round of rounds) { round.add(key, await run()) ... round.report() }`.
 */
export class Rounds implements Iterable<Round> {
  readonly samples: Record<string, number[]> = {};

  *[Symbol.iterator](): Iterator<Round> {
    for (let index = -WARMUP_ROUNDS; index < RUNS; index++) {
      const round = new Round(index, this.samples);
      yield round;
      round.report();
    }
  }

  get(key: string): number[] {
    return this.samples[key] ?? [];
  }
}

export class Round {
  private readonly rates: [string, number][] = [];

  constructor(
    /** Negative while warming up. */
    readonly index: number,
    private readonly samples: Record<string, number[]>,
  ) {}

  get warmup(): boolean {
    return this.index < 0;
  }

  add(key: string, rate: number): void {
    this.rates.push([key, rate]);
    if (!this.warmup) (this.samples[key] ??= []).push(rate);
  }

  report(): void {
    progress(`${this.warmup ? 'warm-up' : `run ${this.index + 1}`}: ${this.rates.map(([key, value]) => `${key} ${value.toFixed(0)}/s`).join(', ')}`);
  }
}

export function progress(line: string): void {
  process.stdout.write(`  ${line}\n`);
}

/** Prints the table and writes bench/results/<name>.md (committed) and a timestamped JSON (ignored). */
export function writeResults(name: string, title: string, notes: string[], figures: Figure[], extra: Record<string, unknown> = {}): void {
  const at = new Date().toISOString();
  const lines = [
    `# ${title}, ${at}`,
    '',
    `Median of ${RUNS} runs; ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; ${PAYLOAD_BYTES}-byte task bodies, priorities 0–9 shuffled.`,
    'Machine shared with other builds: compare ratios, which are measured in the same run.',
    ...notes,
    '',
    '| figure | Triage tasks/s | baseline | baseline /s | Triage / baseline | target |',
    '|---|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.figure} | ${rate(f.triage)} | ${f.baseline} | ${rate(f.baselineRate)} | ${(f.triage / f.baselineRate).toFixed(2)} | ${f.target} |`),
    '',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const dir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.md`), lines.join('\n'));
  writeFileSync(path.join(dir, `${name}-${at.replace(/[:.]/g, '-')}.json`), JSON.stringify({ at, runs: RUNS, figures, ...extra }, null, 2));
}

/** Deletes every key and RabbitMQ queue the bench made. */
export async function cleanup(ids: BenchIds, extraPatterns: string[] = []): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for (const pattern of [`bench-${ids.id}*`, `${ids.keyprefix}*`, `*${ids.queue}*`, ...extraPatterns]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
  try {
    const model = await connect(AMQP_URL);
    const channel = await model.createChannel();
    for (const name of [ids.queue, `${ids.queue}.dead`]) await channel.deleteQueue(name);
    await model.close();
  } catch {
    // RabbitMQ down: nothing was made there.
  }
}
