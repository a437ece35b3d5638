/**
 * The production worker (the bundle `npm run build` writes to dist/) against the same worker
 * run from TypeScript through tsx, as before the build existed: time from spawn until the
 * worker is online (it announced itself in Triage's state) and its resident memory then.
 * Alternating runs on Redis; `npm run bench -- worker-start`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { WorkerHarness } from '@/lib/worker/test-harness';
import { TARGETS } from '@/test/contract/targets';
import { uniqueName } from '@/test/support';
import { RUNS, log, median, report, rssBytes, runIfMain } from './support';

const COMPILED = ['dist/worker.mjs'];
const TSX = ['--import', 'tsx', 'lib/worker/main.ts'];

async function startOnce(entry: string[]): Promise<{ ms: number; rss: number }> {
  const target = TARGETS.find((t) => t.kind === 'redis')!;
  const queue = uniqueName('start');
  const harness = new WorkerHarness(target, { queues: [{ name: queue }], entry });
  try {
    const started = performance.now();
    const child = await harness.spawnWorker({ queues: [queue], concurrency: 4 });
    const ms = performance.now() - started;
    return { ms, rss: rssBytes(child.pid!) };
  } finally {
    await harness.cleanup();
  }
}

export async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join('scripts', 'build-node.mjs')], { stdio: 'inherit' });
  const compiled: { ms: number; rss: number }[] = [];
  const tsx: { ms: number; rss: number }[] = [];
  // One unmeasured start each warms the file cache.
  await startOnce(COMPILED);
  await startOnce(TSX);
  for (let run = 0; run < RUNS; run++) {
    compiled.push(await startOnce(COMPILED));
    tsx.push(await startOnce(TSX));
    log(`run ${run + 1}: compiled ${compiled.at(-1)!.ms.toFixed(0)} ms ${(compiled.at(-1)!.rss / 2 ** 20).toFixed(0)} MiB; tsx ${tsx.at(-1)!.ms.toFixed(0)} ms ${(tsx.at(-1)!.rss / 2 ** 20).toFixed(0)} MiB`);
  }
  const mib = (values: number[]) => median(values) / 2 ** 20;
  report(
    'worker-start',
    'Worker start: compiled bundle vs TypeScript through tsx',
    [
      'Each start spawns `node dist/worker.mjs` (or `node --import tsx lib/worker/main.ts`) for one Redis queue at concurrency 4 and waits until its `worker.online` event is in the state Redis; RSS is read from /proc then.',
      `Median of ${RUNS} alternating starts after one unmeasured start of each.`,
    ],
    [
      { figure: 'start until online', unit: 'ms', triage: median(compiled.map((r) => r.ms)), baseline: median(tsx.map((r) => r.ms)), baselineName: 'tsx', goal: { max: 1 }, runs: [compiled, tsx] },
      { figure: 'resident memory once online', unit: 'MiB', triage: mib(compiled.map((r) => r.rss)), baseline: mib(tsx.map((r) => r.rss)), baselineName: 'tsx', goal: { max: 1 } },
    ],
  );
}

runIfMain(import.meta.url, main);
