/**
 * Server memory over a sustained run: a production server (`next start`) on a private
 * redis-server while a producer enqueues 200 tasks/s (600-byte payloads, all priorities),
 * the bundled worker runs them (its task events and states flow into the state Redis) and
 * a dashboard tab holds the live event stream open and refreshes the overview listing every
 * 5 s. The server's RSS (with any child processes) is sampled every 5 s.
 * Reports start, peak and end, and the trend: the least-squares slope over the second
 * half of the run (after warm-up), in MB per minute.
 *
 * `npm run bench -- dashboard-memory [--minutes 10] [--rate 200]` (env BENCH_MINUTES too).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { RedisBroker } from '@/lib/brokers/redis/redis-broker';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { PAYLOAD, type Figure, flags, log, privateRedis, report, rssBytes, runIfMain, startServer } from './support';

const args = flags();
const MINUTES = Number(args.get('minutes') ?? process.env.BENCH_MINUTES ?? 10);
const RATE = Number(args.get('rate') ?? 200);
const QUEUE = 'bench-memory';
const SAMPLE_MS = 5000;
const MB = 1024 * 1024;

/** Least-squares slope of (minute, MB) points. */
function slope(points: { min: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.min, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.min - mx) * (p.mb - my), 0);
  const den = points.reduce((s, p) => s + (p.min - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export async function main(): Promise<void> {
  const redis = await privateRedis();
  const env = { REDIS_URL: redis.url, TRIAGE_BROKERS: 'redis', TRIAGE_STATE_PREFIX: `triage-bench-${randomBytes(4).toString('hex')}:` };
  const server = await startServer(env);
  const broker = new RedisBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: redis.url }));
  await broker.connect();
  await broker.control.prepareTarget(QUEUE, { create: true });
  const worker = spawn(process.execPath, ['--import', 'tsx', path.join('lib', 'worker', 'main.ts'), '--broker', 'redis', '--queues', QUEUE, '--concurrency', '8'], {
    stdio: 'ignore',
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
  });
  const stop = new AbortController();
  const samples: { min: number; mb: number }[] = [];
  let enqueued = 0;
  let depth = 0;
  const started = performance.now();
  const minutes = () => (performance.now() - started) / 60_000;
  try {
    // The dashboard tab: the live stream plus a periodic overview listing.
    const events = await fetch(`${server.url}/api/v1/events`, { headers: server.headers, signal: stop.signal });
    if (!events.ok || !events.body) throw new Error(`events: HTTP ${events.status}`);
    const reader = events.body.getReader();
    void (async () => {
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch {
        // aborted
      }
    })();
    const tick = 100;
    const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
    let nextAt = performance.now();
    let nextSample = 0;
    let nextListing = 0;
    log(`dashboard-memory: ${MINUTES} min at ${RATE} tasks/s`);
    while (minutes() < MINUTES) {
      await broker.enqueue(QUEUE, Array.from({ length: perTick }, (_, i) => ({ priority: (enqueued + i) % 10, spec: { task: 'triage.tasks.noop', args: [PAYLOAD] } })));
      enqueued += perTick;
      const now = performance.now();
      if (now >= nextListing) {
        nextListing = now + 5000;
        const res = await fetch(`${server.url}/api/v1/queues`, { headers: server.headers });
        const body = (await res.json()) as { queues: { name: string; depth: number }[] };
        depth = body.queues.find((q) => q.name === QUEUE)?.depth ?? 0;
      }
      if (now >= nextSample) {
        nextSample = now + SAMPLE_MS;
        samples.push({ min: minutes(), mb: rssBytes(server.pid) / MB });
        if (samples.length % 12 === 1) log(`  ${minutes().toFixed(1)} min: RSS ${samples.at(-1)!.mb.toFixed(0)} MB, ${enqueued} enqueued, backlog ${depth}`);
      }
      nextAt += tick;
      await new Promise((r) => setTimeout(r, Math.max(0, nextAt - performance.now())));
    }
  } finally {
    stop.abort();
    worker.kill('SIGTERM');
    await Promise.race([new Promise((r) => worker.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
    if (worker.exitCode === null) worker.kill('SIGKILL');
    await broker.close();
    await server.stop();
    await redis.stop();
  }
  const mbs = samples.map((s) => s.mb);
  const half = samples.filter((s) => s.min >= MINUTES / 2);
  const trend = slope(half);
  const info = (figure: string, value: number): Figure => ({ figure, unit: 'MB', triage: value, baseline: null, baselineName: '', goal: null });
  report('dashboard-memory', 'Server memory under sustained load', [
    `${MINUTES} min at ${RATE} tasks/s (${enqueued} enqueued, backlog at the end ${depth}), bundled worker (concurrency 8) with events, one open dashboard tab (event stream + listing every 5 s).`,
    `Server RSS (next start, children included) every ${SAMPLE_MS / 1000} s; private redis-server as broker and state store. Trend = least-squares slope over the second half.`,
  ], [
    info('RSS at start', mbs[0] ?? 0),
    { ...info('RSS peak', Math.max(...mbs)), goal: { limit: 256 } },
    info('RSS at end', mbs.at(-1) ?? 0),
    { figure: 'RSS trend, second half', unit: 'MB/min', triage: trend, baseline: null, baselineName: '', goal: { limit: 1 }, runs: samples },
  ], { sustained: true });
}

runIfMain(import.meta.url, main);
