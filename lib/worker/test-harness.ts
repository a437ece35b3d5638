/**
 * Helpers for the worker's integration tests on any contract target (test/contract): a
 * private configuration (own state prefix and own in-flight bookkeeping, so parallel tests
 * never restore each other's in-flight messages), the real entry point spawned as a child
 * process, and readers for the events it writes. Not imported by production code.
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
import type { ContractTarget, LaneGroupSpec, QueueSpec, RawQueues } from '@/test/contract/targets';
import { REDIS_URL, waitFor } from '@/test/support';

export interface HarnessOptions {
  queues?: QueueSpec[];
  laneGroups?: LaneGroupSpec[];
  /** The broker's URL as the worker sees it (a proxy in outage tests). */
  url?: string;
  /** Kind-specific configuration, for per-kind tests only. */
  extra?: Record<string, unknown>;
  /** What node runs as the worker: the TypeScript source through tsx by default, or a compiled bundle. */
  entry?: string[];
}

export class WorkerHarness {
  readonly id = randomUUID().slice(0, 8);
  readonly statePrefix = `t-state-${this.id}:`;
  /** The one broker of the configuration; its id is its kind. */
  readonly brokerId: string;
  readonly config: TriageConfig;
  readonly state: Redis;
  readonly events: EventLog;
  readonly pauses: PauseStore;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'triage-worker-test-'));
  readonly configPath = path.join(this.dir, 'config.json');
  private readonly children = new Set<ChildProcess>();
  private readonly brokers: QueueBroker[] = [];
  private rawView: RawQueues | null = null;

  constructor(
    readonly target: ContractTarget,
    private readonly options: HarnessOptions = {},
  ) {
    this.brokerId = target.kind;
    // Own state prefix and own in-flight bookkeeping: parallel tests never restore each
    // other's in-flight messages.
    const broker = target.config({ id: this.brokerId, url: options.url, queues: options.queues, laneGroups: options.laneGroups, inFlightTag: this.id, extra: options.extra });
    const raw = { statePrefix: this.statePrefix, stateRedisUrl: REDIS_URL, logLevel: 'warn', brokers: [broker] };
    this.config = TriageConfigSchema.parse(raw);
    writeFileSync(this.configPath, JSON.stringify(raw));
    this.state = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    this.events = new EventLog(this.state, this.statePrefix);
    this.pauses = new PauseStore(this.state, this.statePrefix);
  }

  /** A producer on the real broker (not through any proxy the worker uses). */
  async broker(): Promise<QueueBroker> {
    const config = this.target.config({ id: this.brokerId, queues: this.options.queues, laneGroups: this.options.laneGroups, inFlightTag: this.id, extra: this.options.extra });
    const broker = createBroker(config, { excludePrefixes: [this.statePrefix] });
    this.brokers.push(broker);
    await broker.connect();
    return broker;
  }

  /** The broker's queues read directly, bypassing the adapter. */
  async raw(): Promise<RawQueues> {
    this.rawView ??= await this.target.openRaw();
    return this.rawView;
  }

  /** Messages in this harness's in-flight bookkeeping, or null where the broker keeps none a test can read. */
  async inFlight(): Promise<number | null> {
    return (await this.raw()).inFlight(this.id);
  }

  /** Starts `npm run worker` equivalent; resolves once it reported online. */
  async spawnWorker(args: { queues: string[]; concurrency: number; env?: Record<string, string> }): Promise<ChildProcess> {
    const before = (await this.events.read()).filter((e) => e.type === 'worker.online').length;
    // node itself (not the tsx launcher, which would leave the worker orphaned on SIGKILL).
    const child = spawn(
      process.execPath,
      [...(this.options.entry ?? ['--import', 'tsx', 'lib/worker/main.ts']), '--broker', this.brokerId, '--queues', args.queues.join(','), '--concurrency', String(args.concurrency)],
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
    try {
      await waitFor('the worker to come online', async () => child.exitCode !== null || (await this.events.read()).filter((e) => e.type === 'worker.online').length > before);
    } catch (error) {
      throw new Error(`${String(error)}: ${output}`);
    }
    if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}: ${output}`);
    return child;
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

  /** Waits until `count` tasks of the queue succeeded. */
  async succeeded(queue: string, count: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(`${count} tasks of ${queue} to succeed`, async () => new Set((await this.taskEvents('task.succeeded', queue)).map((e) => e.taskId)).size >= count, timeoutMs);
  }

  async cleanup(): Promise<void> {
    // Wait for the exits: a dying worker must not write state after the sweep below.
    await Promise.all([...this.children].map((child) => (child.kill('SIGKILL'), exited(child))));
    await Promise.all(this.brokers.splice(0).map((b) => b.close().catch(() => {})));
    // Queue names are unique per test: everything derived from them goes with them.
    const names = [...(this.options.queues ?? []).map((q) => q.name), ...(this.options.laneGroups ?? []).flatMap((g) => [g.name, ...g.lanes.map((l) => l.queue)])];
    const raw = await this.raw();
    await raw.remove(names);
    await raw.close();
    // Triage state and private in-flight keys carry the harness id.
    let cursor = '0';
    do {
      const [next, keys] = await this.state.scan(cursor, 'MATCH', `t-*${this.id}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.state.del(...keys);
    } while (cursor !== '0');
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
 * Proves a paused queue is skipped without waiting for time to pass: the worker also
 * serves `probe`, and a probe task less urgent than anything waiting in the paused queue
 * runs (a worker that ignored the pause would have taken the waiting ones first).
 */
async function probeRuns(h: WorkerHarness, broker: QueueBroker, probe: string): Promise<void> {
  const [id] = await broker.enqueue(probe, [{ priority: 9, spec: { task: 'triage.tasks.noop' } }]);
  await waitFor('the probe task ran', async () => (await h.taskEvents('task.succeeded', probe)).some((e) => e.taskId === id));
}

/**
 * Enqueues 200 tasks with shuffled priorities while the queue is paused (checking the
 * worker takes none of them while it runs a probe task), resumes, and returns the order in
 * which they started. The harness must serve `queue` and `probe`.
 */
export async function orderRun(
  h: WorkerHarness,
  queue: string,
  probe: string,
  concurrency: number,
  task: { name: string; args: (seq: number) => unknown[] },
): Promise<{ started: StoredEvent[]; levels: number[]; seqs: number[] }> {
  const broker = await h.broker();
  await h.pauses.pause(h.brokerId, queue, 'test');
  await h.spawnWorker({ queues: [queue, probe], concurrency });
  const ids = await broker.enqueue(
    queue,
    PRIORITIES_200.map((priority, seq) => ({ priority, spec: { task: task.name, args: task.args(seq), kwargs: { seq } } })),
  );
  await probeRuns(h, broker, probe);
  if ((await h.taskEvents('task.started', queue)).length > 0) throw new Error('the worker took from a paused queue');
  await h.pauses.resume(h.brokerId, queue);
  await h.succeeded(queue, ids.length);
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
 * Pauses a queue while a worker drains it, and keeps the worker busy with less urgent
 * probe tasks until one starts more than 1.5 s after the pause: nothing of the paused
 * queue may start more than 1 s after it. Then resumes and waits for the rest. The harness
 * must serve `queue` and `probe`.
 */
export async function pauseRun(h: WorkerHarness, queue: string, probe: string): Promise<{ total: number; startedLate: number; waitingWhilePaused: number }> {
  const broker = await h.broker();
  const ids = await broker.enqueue(queue, Array.from({ length: 30 }, () => ({ priority: 5, spec: { task: 'triage.tasks.sleep', args: [100] } })));
  await h.spawnWorker({ queues: [queue, probe], concurrency: 1 });
  await waitFor('the worker to start 3 tasks', async () => (await h.taskEvents('task.started', queue)).length >= 3);
  await h.pauses.pause(h.brokerId, queue, 'test');
  const pausedAt = Date.now();
  await broker.enqueue(probe, Array.from({ length: 40 }, () => ({ priority: 9, spec: { task: 'triage.tasks.sleep', args: [100] } })));
  await waitFor('a probe task to start 1.5 s after the pause', async () => (await h.taskEvents('task.started', probe)).some((e) => Date.parse(e.at) > pausedAt + 1500));
  const startedLate = (await h.taskEvents('task.started', queue)).filter((e) => Date.parse(e.at) > pausedAt + 1000).length;
  const waitingWhilePaused = ids.length - (await h.taskEvents('task.started', queue)).length;
  await h.pauses.resume(h.brokerId, queue);
  await h.succeeded(queue, ids.length);
  return { total: ids.length, startedLate, waitingWhilePaused };
}
