/**
 * Broker cost of the live overview with 1 vs N open tabs: Redis commands per second
 * (`INFO commandstats`, all commands) while the tabs are open. Each "tab" is an open
 * GET /api/v1/events stream, what the overview holds open. A private redis-server serves as
 * broker and state store of a production server, so the count is the dashboard's alone.
 * Median of 3 windows per setting.
 *
 * `npm run bench -- tabs [--tabs 20] [--seconds 15] [--queues 20]`
 */
import type { Redis } from 'ioredis';
import { RedisBroker } from '@/lib/brokers/redis/redis-broker';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { PAYLOAD, RUNS, type Server, flags, log, median, privateRedis, report, runIfMain, startServer } from './support';

const args = flags();
const TABS = Number(args.get('tabs') ?? 20);
// The server polls every 2 s plus the poll itself: a 15 s window holds 6 or 7 polls, so one
// poll more or less swung the ratio by ~15%. A minute keeps that quantisation under 4%.
const SECONDS = Number(args.get('seconds') ?? 60);
const QUEUES = Number(args.get('queues') ?? 20);

/** Calls per command so far (server-wide). */
async function calls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map([...info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** Opens `n` event streams and reads them (discarding data) until aborted. */
async function openStreams(server: Server, n: number, signal: AbortSignal): Promise<void> {
  await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await fetch(`${server.url}/api/v1/events`, { headers: server.headers, signal });
      if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
      const reader = res.body.getReader();
      await reader.read(); // the first chunk: the stream is live
      void (async () => {
        try {
          for (;;) if ((await reader.read()).done) break;
        } catch {
          // aborted
        }
      })();
    }),
  );
}

/** Broker commands per second over one window with `tabs` streams open, in all and per command. */
async function window(server: Server, redis: Redis, tabs: number): Promise<{ perSec: number; byCommand: Record<string, number> }> {
  const controller = new AbortController();
  await openStreams(server, tabs, controller.signal);
  // Let the server settle into the pace for this many listeners.
  await new Promise((r) => setTimeout(r, 3000));
  const before = await calls(redis);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const after = await calls(redis);
  const seconds = (performance.now() - started) / 1000;
  const byCommand: Record<string, number> = {};
  for (const [command, n] of after) {
    // Minus the INFO that read `before`.
    const delta = n - (before.get(command) ?? 0) - (command === 'info' ? 1 : 0);
    if (delta > 0) byCommand[command] = delta / seconds;
  }
  controller.abort();
  await new Promise((r) => setTimeout(r, 1000));
  return { perSec: Object.values(byCommand).reduce((a, b) => a + b, 0), byCommand };
}

function perCommand(one: Record<string, number>[], many: Record<string, number>[]): string {
  const names = [...new Set([...one, ...many].flatMap((c) => Object.keys(c)))].sort();
  const med = (runs: Record<string, number>[], name: string) => median(runs.map((r) => r[name] ?? 0));
  return names.map((name) => `${name} ${med(one, name).toFixed(1)} → ${med(many, name).toFixed(1)}`).join(', ');
}

export async function main(): Promise<void> {
  const redis = await privateRedis();
  const server = await startServer({ REDIS_URL: redis.url, TRIAGE_BROKERS: 'redis' });
  const samples = { one: [] as number[], many: [] as number[] };
  const commands = { one: [] as Record<string, number>[], many: [] as Record<string, number>[] };
  try {
    // Something for the overview to show.
    const broker = new RedisBroker(RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: redis.url }));
    await broker.connect();
    for (let q = 0; q < QUEUES; q++) {
      await broker.control.prepareTarget(`bench-tabs-${q}`, { create: true });
      await broker.enqueue(`bench-tabs-${q}`, Array.from({ length: 100 }, (_, i) => ({ priority: i % 10, spec: { task: 'bench.tasks.noop', args: [PAYLOAD] } })));
    }
    await broker.close();
    for (let run = 0; run < RUNS; run++) {
      log(`tabs run ${run + 1}/${RUNS}`);
      const one = await window(server, redis.client, 1);
      const many = await window(server, redis.client, TABS);
      samples.one.push(one.perSec);
      samples.many.push(many.perSec);
      commands.one.push(one.byCommand);
      commands.many.push(many.byCommand);
    }
  } finally {
    await server.stop();
    await redis.stop();
  }
  report('tabs', `Broker load of the live overview, 1 vs ${TABS} tabs`, [
    `Redis commands/s (INFO commandstats, every command) on a private redis-server that is both broker and state store of a production server; ${QUEUES} queues;`,
    `${SECONDS} s windows after 3 s of settling; each tab is an open GET /api/v1/events stream.`,
    `Per command (median over runs, cmd/s, 1 tab → ${TABS} tabs): ${perCommand(commands.one, commands.many)}.`,
  ], [
    { figure: `${TABS} tabs vs 1 tab`, unit: 'cmd/s', triage: median(samples.many), baseline: median(samples.one), baselineName: '1 tab', goal: { max: 1.1 }, runs: [samples.one, samples.many] },
  ]);
}

runIfMain(import.meta.url, main);
