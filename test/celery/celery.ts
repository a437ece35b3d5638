import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Drives real Celery (Debian's python3-celery 5.2.x) for interop tests. Locally a missing
 * Celery skips those tests with a clear reason; in CI (CI=true) it is a failure.
 */
export const PYTHON = process.env.TRIAGE_CELERY_PYTHON ?? '/usr/bin/python3';
const DIR = path.join(process.cwd(), 'test', 'celery');

function detect(): { ok: boolean; reason: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import celery, kombu, redis, amqp; print(celery.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true, reason: `celery ${probe.stdout.trim()}` };
  return { ok: false, reason: `real Celery is not installed (${PYTHON}: apt-get install python3-celery python3-redis python3-amqp)` };
}

export const celery = detect();

if (!celery.ok && process.env.CI === 'true') {
  throw new Error(`CI requires real Celery for the interop tests: ${celery.reason}`);
}
if (!celery.ok) console.warn(`skipping real-Celery interop tests: ${celery.reason}`);

export interface ProbeEnv {
  PROBE_BROKER_URL: string;
  PROBE_QUEUE: string;
  PROBE_STEPS?: string;
  PROBE_SEP?: string;
  PROBE_PREFIX?: string;
  PROBE_MAX_PRIORITY?: string;
  PROBE_LOG?: string;
  PROBE_VISIBILITY_TIMEOUT?: string;
  PROBE_RESULT_BACKEND?: string;
  /** '0': Celery's default early acks. */
  PROBE_ACKS_LATE?: string;
  /** JSON merged into broker_transport_options. */
  PROBE_TRANSPORT_OPTIONS?: string;
}

function env(probe: ProbeEnv): NodeJS.ProcessEnv {
  return { ...process.env, ...probe, PYTHONPATH: DIR, PYTHONDONTWRITEBYTECODE: '1' };
}

/** Sends tasks with a real Celery producer; returns their ids in send order. */
export function produce(probe: ProbeEnv, priorities: (number | null)[], task = 'probe.work'): string[] {
  // Bounded: a producer that hangs must fail here, naming itself, not run into the test's timeout.
  const run = spawnSync(PYTHON, [path.join(DIR, 'produce.py'), JSON.stringify(priorities), task], { env: env(probe), encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`celery producer failed (${run.error?.message ?? run.signal ?? run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as string[];
}

export interface WorkerOptions {
  concurrency?: number;
  hostname?: string;
  events?: boolean;
  prefetchMultiplier?: number;
  /** `solo` runs tasks in the worker process itself, so a SIGKILL really stops the running task. */
  pool?: 'prefork' | 'solo';
}

/** Starts a real Celery worker (`-c 1 --prefetch-multiplier 1` unless told otherwise, acks_late from the app). */
export function startWorker(probe: ProbeEnv, options: WorkerOptions = {}): ChildProcess {
  const args = [
    '-m',
    'celery',
    '-A',
    'triage_probe',
    'worker',
    '-c',
    String(options.concurrency ?? 1),
    '--prefetch-multiplier',
    String(options.prefetchMultiplier ?? 1),
    '-Q',
    probe.PROBE_QUEUE,
    '-n',
    options.hostname ?? `probe-${process.pid}-${Date.now()}@%h`,
    '-l',
    'warning',
    '--without-mingle',
  ];
  if (options.pool) args.push('-P', options.pool);
  if (options.events) args.push('-E');
  else args.push('--without-gossip');
  const child = spawn(PYTHON, args, { env: env(probe), cwd: DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTails.set(child, (workerStderr(child) + chunk.toString()).slice(-4000));
  });
  child.on('exit', (code, signal) => {
    if (code && code !== 0) console.warn(`celery worker exited ${code} ${signal ?? ''}: ${workerStderr(child)}`);
  });
  return child;
}

const stderrTails = new WeakMap<ChildProcess, string>();

/** The last 4,000 characters a worker wrote to stderr (its warnings and errors), for a failure message. */
export function workerStderr(child: ChildProcess): string {
  return stderrTails.get(child) ?? '';
}

/** Warm shutdown, then force after a grace period; resolves when the process is gone. */
export async function stopWorker(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Execution {
  id: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  priority: number | null;
}

export function executions(logFile: string): Execution[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Execution);
}

/** What a running Celery worker answers to `celery inspect <method>` (Celery's own client); null if it did not answer. */
export function inspectWorker<T = unknown>(probe: ProbeEnv, hostname: string, method: string): T | null {
  const run = spawnSync(PYTHON, ['-m', 'celery', '-A', 'triage_probe', 'inspect', method, '-d', hostname, '-j', '-t', '5'], {
    env: env(probe),
    cwd: DIR,
    encoding: 'utf8',
  });
  const start = run.stdout.indexOf('{');
  if (run.status !== 0 || start < 0) return null;
  try {
    const replies = JSON.parse(run.stdout.slice(start)) as Record<string, T>;
    return replies[hostname] ?? null;
  } catch {
    return null;
  }
}

/** The queues a running Celery worker consumes right now (`celery inspect active_queues`); null if it did not answer. */
export function activeQueues(probe: ProbeEnv, hostname: string): string[] | null {
  return inspectWorker<{ name: string }[]>(probe, hostname, 'active_queues')?.map((q) => q.name) ?? null;
}
