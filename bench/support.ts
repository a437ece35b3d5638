/**
 * Shared by the benches: median-of-N runs, a printed and written results table
 * (`bench/results/<name>.md`, committed; `<name>-<time>.json`, ignored), and the local
 * processes a bench needs: a private Redis (so commandstats and discovery see only the
 * bench) and a production Triage server (`next start`, built by `npm run build`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';

export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
/**
 * Unmeasured rounds before the measured ones, for every contender alike (BENCH_WARMUP).
 * Triage's worker and server are long-running processes: measured cold, the worker's first
 * 40,000 tasks ran at about 70% of the rate it settles at once the JIT has optimized its
 * hot paths (23k/s rising to 31-33k/s at concurrency 100 over ten back-to-back runs of
 * 20,000 in one process), and single enqueues went from 0.7 to 0.85 of raw LPUSH.
 */
export const WARMUP_ROUNDS = Math.max(0, Number(process.env.BENCH_WARMUP ?? 1));
export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT_URL = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';
/** The payload every bench enqueues: one 600-byte string argument. */
export const PAYLOAD = 'x'.repeat(600);

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Nearest-rank percentile (q in 0..1) of a sample. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Latency of `once`: median over RUNS rounds of each round's p99 (and p50), each round
 * `requests` calls after `warmup` unmeasured ones.
 */
export async function latency(once: () => Promise<unknown>, requests: number, warmup = 5): Promise<{ p99: number; p50: number; rounds: number[] }> {
  const rounds: number[] = [];
  const p50s: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (let i = 0; i < warmup; i++) await once();
    const ms: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await once();
      ms.push(performance.now() - started);
    }
    rounds.push(percentile(ms, 0.99));
    p50s.push(percentile(ms, 0.5));
  }
  return { p99: median(rounds), p50: median(p50s), rounds };
}

/** Items per second of `run`, which handles `count` items. */
export async function rate(count: number, run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return count / ((performance.now() - started) / 1000);
}

/**
 * Rates (items/s) of several contenders measured in alternating slices (A B C A B C...),
 * so load from other processes on a shared machine hits them alike and their ratios hold.
 * Each `run` handles `count` items per call.
 */
export async function interleaved(slices: number, contenders: Record<string, { count: number; run: () => Promise<unknown> }>): Promise<Record<string, number>> {
  const ms: Record<string, number> = {};
  for (let slice = 0; slice < slices; slice++) {
    for (const [name, contender] of Object.entries(contenders)) {
      const started = performance.now();
      await contender.run();
      ms[name] = (ms[name] ?? 0) + performance.now() - started;
    }
  }
  return Object.fromEntries(Object.entries(contenders).map(([name, c]) => [name, (c.count * slices) / (ms[name]! / 1000)]));
}

/**
 * One figure: Triage beside its baseline. `goal` is what passes: `min` = Triage/baseline
 * must reach it (rates), `max` = Triage/baseline must stay under it (latencies, costs),
 * `limit` = Triage itself must stay under it (absolute ceilings such as a p99 in ms).
 */
export interface Figure {
  figure: string;
  unit: string;
  triage: number;
  baseline: number | null;
  baselineName: string;
  goal: { min: number } | { max: number } | { limit: number } | null;
  /** Every run's values, for the JSON. */
  runs?: unknown[];
}

export function ratio(f: Figure): number | null {
  return f.baseline ? f.triage / f.baseline : null;
}

export function passes(f: Figure): boolean | null {
  if (!f.goal) return null;
  const r = ratio(f);
  if ('limit' in f.goal) return f.triage <= f.goal.limit;
  if (r === null) return null;
  return 'min' in f.goal ? r >= f.goal.min : r <= f.goal.max;
}

function targetText(f: Figure): string {
  if (!f.goal) return '—';
  if ('limit' in f.goal) return `≤ ${f.goal.limit} ${f.unit}`;
  return 'min' in f.goal ? `≥ ${f.goal.min}×` : `≤ ${f.goal.max}×`;
}

const fmt = (n: number | null): string => (n === null ? '—' : n >= 100 ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Prints the table and writes bench/results/<name>.md and a timestamped JSON. */
export function report(name: string, title: string, notes: string[], figures: Figure[], options: { sustained?: boolean } = {}): void {
  const at = new Date().toISOString();
  const lines = [
    `# ${title}`,
    '',
    `${at}; ${options.sustained ? 'one sustained run' : `median of ${RUNS} runs`}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}.`,
    `Command: \`npm run bench -- ${name}\`.`,
    ...notes.map((n) => (n ? n : '')),
    '',
    '| figure | Triage | baseline | ratio | target | pass? |',
    '|---|---:|---|---:|---|---|',
    ...figures.map((f) => {
      const r = ratio(f);
      const pass = passes(f);
      const baseline = f.baseline === null ? f.baselineName || '—' : `${fmt(f.baseline)} ${f.unit} (${f.baselineName})`;
      return `| ${f.figure} | ${fmt(f.triage)} ${f.unit} | ${baseline} | ${r === null ? '—' : r.toFixed(2)} | ${targetText(f)} | ${pass === null ? '—' : pass ? 'yes' : '**no**'} |`;
    }),
    '',
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  const dir = path.join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.md`), lines.join('\n'));
  writeFileSync(
    path.join(dir, `${name}-${at.replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ name, at, runs: RUNS, figures: figures.map((f) => ({ ...f, ratio: ratio(f), pass: passes(f) })) }, null, 2),
  );
}

export function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** `--key value` flags of this process (bench/run.ts passes the rest of its argv on). */
export function flags(): Map<string, string> {
  const out = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i]!.startsWith('--')) out.set(argv[i]!.slice(2), argv[i + 1] ?? '');
  }
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited with ${child.exitCode}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface PrivateRedis {
  url: string;
  client: Redis;
  /** The redis-server process, for its CPU time (/proc/<pid>/stat). */
  pid: number;
  stop: () => Promise<void>;
}

/** A throwaway redis-server (no persistence) on a free port, for one bench. */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}/0`;
  const client = new Redis(url, { retryStrategy: () => 100 });
  client.on('error', () => undefined); // refused until the server listens
  await until('redis-server', async () => (await client.ping()) === 'PONG', 15_000, child).catch((error: unknown) => {
    client.disconnect();
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    client,
    pid: child.pid!,
    stop: async () => {
      await client.quit().catch(() => undefined);
      child.kill('SIGKILL');
    },
  };
}

export interface Server {
  url: string;
  pid: number;
  headers: Record<string, string>;
  stop: () => Promise<void>;
}

/**
 * A production Triage server (`next start`) on a free port with its own admin token.
 * `env` picks brokers (TRIAGE_BROKERS, REDIS_URL...). Builds first when `.next` is missing.
 * Without a REDIS_URL (a RabbitMQ-only server) its state (history, audit, tasks) goes to a
 * private redis-server: on the shared one, other Triage servers would discover the bench's
 * history lists as queues.
 */
export async function startServer(env: Record<string, string>): Promise<Server> {
  const stateRedis = env.REDIS_URL ? null : await privateRedis();
  if (stateRedis) env = { ...env, REDIS_URL: stateRedis.url };
  if (!existsSync(path.join(process.cwd(), '.next', 'BUILD_ID'))) {
    log('no production build: running `npm run build` first');
    await new Promise<void>((resolve, reject) => {
      const build = spawn('npm', ['run', 'build'], { stdio: 'inherit' });
      build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited with ${code}`))));
    });
  }
  const port = await freePort();
  const token = `bench-${randomBytes(16).toString('hex')}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-bench-'));
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TRIAGE_DEMO: '1',
      TRIAGE_ADMIN_TOKEN: token,
      TRIAGE_STATE_PREFIX: `triage-bench-${path.basename(dir)}:`,
      LOG_LEVEL: 'warn',
      PORT: String(port),
      ...env,
    },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  await until('next start', async () => (await fetch(`${url}/api/v1/health`, { headers })).ok, 120_000, child).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  });
  return {
    url,
    pid: child.pid!,
    headers,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await stateRedis?.stop();
    },
  };
}

/** Resident set size (bytes) of a process and its descendants, from /proc. */
export function rssBytes(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
    } catch {
      // exited meanwhile
    }
  };
  visit(pid);
  return total;
}

/** Runs `main` when the file is executed directly (`npx tsx bench/<name>.ts`). */
export function runIfMain(metaUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || metaUrl !== pathToFileURL(process.argv[1]).href) return;
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
