import { spawn, type ChildProcess } from 'node:child_process';
import { brokerDriver } from '@/lib/brokers/registry';
import type { TriageConfig } from '@/lib/config/schema';

/**
 * The demo's workers: one process each, the real `npm run worker` entry point, for every
 * Redis pattern (a plain kombu queue, a 10-step queue, a lane group consumed lane after
 * lane, plus a worker dedicated to the urgent lane) and the RabbitMQ priority queue.
 *
 * Stopping: Ctrl+C in a terminal signals the whole foreground process group. A worker in
 * the demo's group would get the terminal's SIGINT and then the demo's SIGTERM, count two
 * signals and stop at once, so each worker gets a process group of its own and hears only
 * the demo: one signal per Ctrl+C (graceful first, at once on the second, which hands its
 * in-flight tasks back to their queues).
 */
export interface DemoWorkerSpec {
  broker: string;
  queues: string[];
  concurrency: number;
}

export function demoWorkerSpecs(config: Pick<TriageConfig, 'brokers'>): DemoWorkerSpec[] {
  return config.brokers.flatMap((broker) => brokerDriver(broker.kind).demo.workers(broker).map((worker) => ({ broker: broker.id, ...worker })));
}

export function spawnDemoWorker(spec: DemoWorkerSpec, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  // node itself rather than the tsx launcher, so a signal reaches the worker directly.
  return spawn(
    process.execPath,
    ['--import', 'tsx', 'lib/worker/main.ts', '--broker', spec.broker, '--queues', spec.queues.join(','), '--concurrency', String(spec.concurrency)],
    {
      // The IPC channel ties each worker's life to the demo's (see lib/worker/main.ts).
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
      env: { ...env, TRIAGE_DEMO: '1', LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    },
  );
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends each running worker `signal` (the demo's Ctrl+C, passed on). */
export function signalDemoWorkers(workers: readonly ChildProcess[], signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of workers) if (running(child)) child.kill(signal);
}

/**
 * Graceful stop: one signal, then a second after `patienceMs` for a worker still busy (a long
 * report), which hands its tasks back; SIGKILL only if even that does not end it.
 */
export async function stopDemoWorkers(workers: readonly ChildProcess[], patienceMs = 10_000): Promise<void> {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (!running(child)) return resolve();
          const timers = [
            setTimeout(() => child.kill('SIGTERM'), patienceMs),
            setTimeout(() => child.kill('SIGKILL'), patienceMs + 5000),
          ];
          child.once('exit', () => {
            for (const timer of timers) clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
