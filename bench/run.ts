/**
 * `npm run bench -- <name>`: runs bench/<name>.ts. Benchmarks print their figures as
 * ratios against a raw broker operation measured in the same run, and write them to
 * bench/results/ (markdown committed, JSON ignored).
 */
const BENCHES: Record<string, () => Promise<{ main: () => Promise<void> }>> = {
  worker: () => import('./worker'),
  'worker-redis': () => import('./worker-redis'),
  'worker-rabbitmq': () => import('./worker-rabbitmq'),
  'worker-vs-celery': () => import('./worker-vs-celery'),
  control: () => import('./control'),
};

async function run(): Promise<void> {
  const name = process.argv[2] ?? '';
  const load = BENCHES[name];
  if (!load) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>\n`);
    process.exit(2);
  }
  await (await load()).main();
}

run().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
