/**
 * Helpers for the worker's integration tests: a private configuration (own state prefix
 * and own kombu `unacked` keys, so parallel tests never restore each other's in-flight
 * messages), the real entry point spawned as a child process, and readers for the events
 * it writes. Not imported by production code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createBroker } from '@/lib/brokers/registry';
import type { QueueBroker } from '@/lib/brokers/types';
import { TriageConfigSchema, type TriageConfig } from '@/lib/config/schema';
import { EventLog, type StoredEvent } from '@/lib/state/events';
import { PauseStore } from '@/lib/state/pause-store';

export interface HarnessOptions {
  redisUrl: string;
  amqpUrl: string;
  managementUrl: string;
  redis?: Record<string, unknown>;
  rabbit?: Record<string, unknown>;
}

export class WorkerHarness {
  readonly id = randomUUID().slice(0, 8);
  readonly statePrefix = `t-state-${this.id}:`;
  readonly unackedKey = `t-unacked-${this.id}`;
  readonly unackedIndexKey = `t-unacked-index-${this.id}`;
  readonly config: TriageConfig;
  readonly state: Redis;
  readonly events: EventLog;
  readonly pauses: PauseStore;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'triage-worker-test-'));
  readonly configPath = path.join(this.dir, 'config.json');
  private readonly children = new Set<ChildProcess>();
  private readonly brokers: QueueBroker[] = [];

  constructor(private readonly options: HarnessOptions) {
    const raw = {
      statePrefix: this.statePrefix,
      stateRedisUrl: options.redisUrl,
      logLevel: 'warn',
      brokers: [
        {
          id: 'redis',
          kind: 'redis',
          url: options.redisUrl,
          visibilityTimeoutSec: 2,
          unackedKey: this.unackedKey,
          unackedIndexKey: this.unackedIndexKey,
          unackedMutexKey: `t-unacked-mutex-${this.id}`,
          ...options.redis,
        },
        { id: 'rabbitmq', kind: 'rabbitmq', url: options.amqpUrl, managementUrl: options.managementUrl, ...options.rabbit },
      ],
    };
    this.config = TriageConfigSchema.parse(raw);
    writeFileSync(this.configPath, JSON.stringify(raw));
    this.state = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
    this.events = new EventLog(this.state, this.statePrefix);
    this.pauses = new PauseStore(this.state, this.statePrefix);
  }

  async broker(id: 'redis' | 'rabbitmq'): Promise<QueueBroker> {
    const broker = createBroker(this.config.brokers.find((b) => b.id === id)!, { excludePrefixes: [this.statePrefix] });
    this.brokers.push(broker);
    await broker.connect();
    return broker;
  }

  /** Starts `npm run worker` equivalent; resolves once it reported online. */
  async spawnWorker(args: { broker: string; queues: string[]; concurrency: number; env?: Record<string, string> }): Promise<ChildProcess> {
    const before = (await this.events.read()).filter((e) => e.type === 'worker.online').length;
    // node itself (not the tsx launcher, which would leave the worker orphaned on SIGKILL).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'lib/worker/main.ts', '--broker', args.broker, '--queues', args.queues.join(','), '--concurrency', String(args.concurrency)],
      {
        cwd: process.cwd(),
        env: {
          ...process.env,
          TRIAGE_CONFIG: this.configPath,
          TRIAGE_STATE_PREFIX: this.statePrefix,
          TRIAGE_TASK_DURATION_SCALE: '0',
          TRIAGE_RETRY_BASE_MS: '300',
          LOG_LEVEL: 'warn',
          ...args.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const online = (await this.events.read()).filter((e) => e.type === 'worker.online').length;
      if (online > before) return child;
      if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}: ${output}`);
      if (Date.now() > deadline) throw new Error(`the worker did not come online within 30 s: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Task events of one type, in stream order. */
  async taskEvents(type: string, queue?: string): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [];
    let after = '0';
    for (;;) {
      const page = await this.events.read(after, 5000);
      all.push(...page);
      if (page.length < 5000) break;
      after = page[page.length - 1]!.id;
    }
    return all.filter((e) => e.type === type && (queue === undefined || e.queue === queue));
  }

  async cleanup(): Promise<void> {
    // Wait for the exits: a dying worker must not write state after the sweep below.
    await Promise.all([...this.children].map((child) => (child.kill('SIGKILL'), exited(child))));
    await Promise.all(this.brokers.splice(0).map((b) => b.close().catch(() => {})));
    // Triage state and unacked keys carry the harness id; queue lists, dead letters and
    // bindings carry the (unique) queue names of the configuration.
    const redisConfig = this.options.redis ?? {};
    const names = [
      ...((redisConfig.queues as { name: string }[] | undefined) ?? []).map((q) => q.name),
      ...((redisConfig.laneGroups as { name: string; lanes: { queue: string }[] }[] | undefined) ?? []).flatMap((g) => [g.name, ...g.lanes.map((l) => l.queue)]),
    ];
    for (const pattern of [`t-*${this.id}*`, ...names.map((n) => `*${n.replace(/[*?[\]\\]/g, '\\$&')}*`)]) {
      let cursor = '0';
      do {
        const [next, keys] = await this.state.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await this.state.del(...keys);
      } while (cursor !== '0');
    }
    await this.state.quit();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Fisher-Yates with a seeded generator, so a failing order is reproducible. */
export function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Pairs (i < j) where a later-started task was more urgent. */
export function inversions(levels: readonly number[]): number {
  let count = 0;
  for (let i = 0; i < levels.length; i++) for (let j = i + 1; j < levels.length; j++) if (levels[j]! < levels[i]!) count++;
  return count;
}

/** For each task, how many tasks started before it were less urgent (the worst case). */
export function maxOvertaken(levels: readonly number[]): number {
  let worst = 0;
  for (let j = 0; j < levels.length; j++) {
    let n = 0;
    for (let i = 0; i < j; i++) if (levels[i]! > levels[j]!) n++;
    worst = Math.max(worst, n);
  }
  return worst;
}

export const PRIORITIES_200: readonly number[] = shuffled(Array.from({ length: 200 }, (_, i) => i % 10));

/**
 * Enqueues 200 tasks with shuffled priorities while the queue is paused (checking the
 * worker takes none of them), resumes, and returns the order in which they started.
 */
export async function orderRun(
  h: WorkerHarness,
  brokerId: 'redis' | 'rabbitmq',
  queue: string,
  concurrency: number,
  task: { name: string; args: (seq: number) => unknown[] },
): Promise<{ started: StoredEvent[]; levels: number[]; seqs: number[] }> {
  const broker = await h.broker(brokerId);
  await h.pauses.pause(brokerId, queue, 'test');
  await h.spawnWorker({ broker: brokerId, queues: [queue], concurrency });
  const ids = await broker.enqueue(
    queue,
    PRIORITIES_200.map((priority, seq) => ({ priority, spec: { task: task.name, args: task.args(seq), kwargs: { seq } } })),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  if ((await h.taskEvents('task.started', queue)).length > 0) throw new Error('the worker took from a paused queue');
  await h.pauses.resume(brokerId, queue);
  const deadline = Date.now() + 60_000;
  while ((await h.taskEvents('task.succeeded', queue)).length < ids.length) {
    if (Date.now() > deadline) throw new Error('timed out waiting for 200 tasks to succeed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const started = await h.taskEvents('task.started', queue);
  const seqOf = new Map(ids.map((id, seq) => [id, seq]));
  // Events carry each task's own priority; order holds between the levels they are stored under.
  const { levelOf } = (await broker.getQueue(queue))!;
  return { started, levels: started.map((e) => levelOf[e.priority!]!), seqs: started.map((e) => seqOf.get(e.taskId!)!) };
}

export function fifoWithinLevel(levels: readonly number[], seqs: readonly number[]): boolean {
  const last = new Map<number, number>();
  return levels.every((level, i) => {
    const ok = (last.get(level) ?? -1) < seqs[i]!;
    last.set(level, seqs[i]!);
    return ok;
  });
}

/**
 * Pauses a queue while a worker drains it, checks nothing starts more than 1 s after the
 * pause, then resumes and waits for the rest. Returns how many started after the pause.
 */
export async function pauseRun(h: WorkerHarness, brokerId: 'redis' | 'rabbitmq', queue: string): Promise<{ total: number; startedLate: number; waitingWhilePaused: number }> {
  const broker = await h.broker(brokerId);
  const ids = await broker.enqueue(queue, Array.from({ length: 30 }, () => ({ priority: 5, spec: { task: 'triage.tasks.sleep', args: [100] } })));
  await h.spawnWorker({ broker: brokerId, queues: [queue], concurrency: 1 });
  const deadline = Date.now() + 30_000;
  while ((await h.taskEvents('task.started', queue)).length < 3) {
    if (Date.now() > deadline) throw new Error('the worker did not start 3 tasks');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await h.pauses.pause(brokerId, queue, 'test');
  const pausedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 1800));
  const startedLate = (await h.taskEvents('task.started', queue)).filter((e) => Date.parse(e.at) > pausedAt + 1000).length;
  const waitingWhilePaused = ids.length - (await h.taskEvents('task.started', queue)).length;
  await h.pauses.resume(brokerId, queue);
  while ((await h.taskEvents('task.succeeded', queue)).length < ids.length) {
    if (Date.now() > deadline + 30_000) throw new Error('the worker did not finish after resume');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { total: ids.length, startedLate, waitingWhilePaused };
}
