/**
 * `npm run demo`: the production dashboard plus demo traffic on every demo queue.
 * Services were started and the app built by the npm script before this runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createBroker } from '@/lib/brokers/registry';
import { loadConfig } from '@/lib/config';
import { startTraffic, type TrafficTarget } from '@/lib/demo/traffic';
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

/**
 * The demo's workers, one process each (the real `npm run worker` entry point): every
 * Redis pattern (a plain kombu queue, a 10-step queue, a lane group consumed lane after
 * lane, plus a worker dedicated to the urgent lane) and the RabbitMQ priority queue.
 */
function demoWorkers(): { broker: string; queues: string[]; concurrency: number }[] {
  const specs: { broker: string; queues: string[]; concurrency: number }[] = [];
  for (const broker of config.brokers) {
    if (broker.kind === 'redis') {
      for (const q of broker.queues) specs.push({ broker: broker.id, queues: [q.name], concurrency: 2 });
      for (const group of broker.laneGroups) {
        specs.push({ broker: broker.id, queues: [group.name], concurrency: 2 });
        // "Dedicated workers": urgent work always has a free slot of its own.
        const urgent = group.lanes[0];
        if (urgent) specs.push({ broker: broker.id, queues: [urgent.queue], concurrency: 1 });
      }
    } else {
      for (const q of broker.queues) specs.push({ broker: broker.id, queues: [q.name], concurrency: 3 });
    }
  }
  return specs;
}

function startWorkers(): ChildProcess[] {
  return demoWorkers().map((spec) =>
    // node itself rather than the tsx launcher, so a signal reaches the worker directly.
    spawn(
      process.execPath,
      ['--import', 'tsx', 'lib/worker/main.ts', '--broker', spec.broker, '--queues', spec.queues.join(','), '--concurrency', String(spec.concurrency)],
      // The IPC channel ties each worker's life to the demo's (see lib/worker/main.ts).
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, TRIAGE_DEMO: '1', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
    ),
  );
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            // Still busy after 10 s (a long report): stop now; its task is redelivered.
            child.kill('SIGKILL');
          }, 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function main(): Promise<void> {
  const brokers = config.brokers.map((c) => createBroker(c, { excludePrefixes: [config.statePrefix], logger }));
  await Promise.all(brokers.map((b) => b.connect()));
  const targets: TrafficTarget[] = [];
  for (const broker of brokers) {
    const brokerConfig = config.brokers.find((c) => c.id === broker.id)!;
    for (const q of brokerConfig.queues) targets.push({ broker, queue: q.name });
    if (brokerConfig.kind === 'redis') for (const g of brokerConfig.laneGroups) targets.push({ broker, queue: g.name });
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
    `  workers: ${demoWorkers().map((w) => `${w.broker}/${w.queues.join(',')}×${w.concurrency}`).join('  ')}`,
    '  Ctrl+C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stopTraffic = startTraffic(targets, logger);
  const workers = startWorkers();

  const shutdown = async () => {
    stopTraffic();
    server.kill('SIGTERM');
    await stopWorkers(workers);
    await Promise.all(brokers.map((b) => b.close()));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  server.once('exit', (code) => {
    logger.error({ code }, 'the dashboard exited');
    stopTraffic();
    for (const child of workers) child.kill('SIGTERM');
    process.exit(code ?? 1);
  });
}

void main();
