/**
 * `npm run demo`: the production dashboard plus demo traffic on every demo queue.
 * Services were started and the app built by the npm script before this runs.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { brokerDriver, createBroker } from '@/lib/brokers/registry';
import { loadConfig } from '@/lib/config';
import { startTraffic, type TrafficTarget } from '@/lib/demo/traffic';
import { demoWorkerSpecs, signalDemoWorkers, spawnDemoWorker, stopDemoWorkers } from '@/lib/demo/workers';
import { createLogger } from '@/lib/logger';
import { setUpDemoAdmin } from '@/lib/server/users-demo';

process.env.TRIAGE_DEMO = '1';
const config = loadConfig();
const logger = createLogger('triage-demo', config.logLevel);
const port = config.port;
const url = `http://localhost:${port}`;

const server = spawn(path.join('node_modules', '.bin', 'next'), ['start', '-p', String(port)], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, TRIAGE_DEMO: '1' },
});

async function waitForServer(): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const brokers = config.brokers.map((c) => createBroker(c, { excludePrefixes: [config.statePrefix], logger }));
  await Promise.all(brokers.map((b) => b.connect()));
  const targets: TrafficTarget[] = [];
  for (const broker of brokers) {
    const brokerConfig = config.brokers.find((c) => c.id === broker.id)!;
    for (const queue of brokerDriver(brokerConfig.kind).demo.queues(brokerConfig)) targets.push({ broker, queue });
  }

  if (!(await waitForServer())) {
    logger.error('the dashboard did not answer within 120 s');
    server.kill('SIGTERM');
    process.exit(1);
  }
  // Asked in-process: the server's /api/v1/health tells anonymous callers the status only.
  const health = { brokers: await Promise.all(brokers.map((b) => b.health())) };
  const lines = [
    '',
    `  Triage is running: ${url}`,
    ...(await setUpDemoAdmin(config, process.env.TRIAGE_DEMO_PASSWORD)),
    ...health.brokers.map((b) => `  broker ${b.id}: ${b.ok ? 'up' : `DOWN: ${b.error ?? ''} ${b.hint ?? ''}`}`),
    '  demo traffic: OTPs at priority 0, emails 3-5, data 4-7, reports 8-9, bursts of low-priority work',
    `  workers: ${demoWorkerSpecs(config).map((w) => `${w.broker}/${w.queues.join(',')}×${w.concurrency}`).join('  ')}`,
    '  Ctrl+C stops everything (running tasks finish; a second Ctrl+C hands them back to their queues).',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stopTraffic = startTraffic(targets, logger);
  const workers = demoWorkerSpecs(config).map((spec) => spawnDemoWorker(spec));

  // The workers have process groups of their own (lib/demo/workers.ts): each Ctrl+C reaches
  // them once, through here. The first lets running tasks finish; the second stops them
  // now, and they hand those tasks back to their queues before exiting.
  let stops = 0;
  const shutdown = async () => {
    stops += 1;
    if (stops > 1) {
      process.stdout.write('  stopping the workers now; their running tasks go back to their queues\n');
      signalDemoWorkers(workers);
      return;
    }
    process.stdout.write('  stopping: the workers finish their running tasks (Ctrl+C again to stop them now)\n');
    stopTraffic();
    server.kill('SIGTERM');
    await stopDemoWorkers(workers);
    await Promise.all(brokers.map((b) => b.close()));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  server.once('exit', (code) => {
    // Ctrl+C reaches the dashboard directly too: the workers still finish (see shutdown).
    if (stops > 0) return;
    logger.error({ code }, 'the dashboard exited');
    stopTraffic();
    for (const child of workers) child.kill('SIGTERM');
    process.exit(code ?? 1);
  });
}

void main();
