/**
 * `npm run bench` runs every benchmark in sequence, each in its own process (a failing one
 * is reported and the rest still run); `npm run bench -- <name> [--flag value...]` runs one.
 * Benchmarks print Triage's figure, the baseline measured in the same run, their ratio and
 * the target, and write bench/results/<name>.md (committed) and JSON (ignored).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** `worker` runs the worker rows in one go; `npm run bench` runs them one by one. */
const ALIASES: Record<string, () => Promise<{ main: () => Promise<void> }>> = { worker: () => import('./worker') };

const BENCHES: Record<string, () => Promise<{ main: () => Promise<void> }>> = {
  'enqueue-redis': () => import('./enqueue-redis'),
  'enqueue-rabbitmq': () => import('./enqueue-rabbitmq'),
  'overview-latency': () => import('./overview-latency'),
  'browse-latency': () => import('./browse-latency'),
  tabs: () => import('./live-tabs'),
  'worker-redis': () => import('./worker-redis'),
  'worker-rabbitmq': () => import('./worker-rabbitmq'),
  'worker-vs-celery': () => import('./worker-vs-celery'),
  'worker-revokes': () => import('./worker-revokes'),
  control: () => import('./control'),
  rules: () => import('./rules'),
  'overview-page': () => import('./overview-page'),
  'task-explorer': () => import('./task-explorer'),
  'worker-start': () => import('./worker-start'),
  'celery-ingest-redis': () => import('./celery-ingest').then((m) => ({ main: () => m.run('redis') })),
  'celery-ingest-rabbitmq': () => import('./celery-ingest').then((m) => ({ main: () => m.run('rabbitmq') })),
  // Last: it runs for 10 minutes by default.
  'dashboard-memory': () => import('./dashboard-memory'),
};

async function run(): Promise<void> {
  const name = process.argv[2];
  if (name === undefined || name.startsWith('--')) {
    const failed: string[] = [];
    for (const each of Object.keys(BENCHES)) {
      process.stdout.write(`\n=== bench ${each} ===\n`);
      const child = spawnSync(process.execPath, ['--import', 'tsx', path.join('bench', 'run.ts'), each, ...process.argv.slice(2)], { stdio: 'inherit' });
      if (child.status !== 0) failed.push(each);
    }
    if (failed.length > 0) throw new Error(`failed: ${failed.join(', ')}`);
    return;
  }
  const load = BENCHES[name] ?? ALIASES[name];
  if (!load) {
    process.stderr.write(`usage: npm run bench [-- <${[...Object.keys(BENCHES), ...Object.keys(ALIASES)].join('|')}>]\n`);
    process.exit(2);
  }
  // Flags after the name are the bench's own (`npm run bench -- dashboard-memory --minutes 2`).
  process.argv.splice(2, 1);
  await (await load()).main();
}

run().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
