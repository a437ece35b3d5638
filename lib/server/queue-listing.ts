import type { QueueBroker } from '@/lib/brokers/types';
import { decorateQueues } from '@/lib/control/queue-state';
import type { Queue } from '@/lib/shared/types';
import type { WorkerView } from '@/lib/state/worker-store';
import { celeryDiagnoses } from './celery-diagnostics';
import { allBrokers, runtime } from './runtime';

/**
 * Queues as the API shows them: the broker's view plus Triage's own state (pause, live
 * workers) and what real Celery workers reported about themselves (warnings). If the state
 * Redis is unreachable the broker's view is still served.
 */
export async function decorate(queues: readonly Queue[], brokers: readonly QueueBroker[]): Promise<Queue[]> {
  const rt = runtime();
  const [paused, stored] = await Promise.all([
    rt.state.pauses.all().catch(() => new Map<string, unknown>()),
    rt.state.workers.list().catch(() => []),
  ]);
  const celery = celeryDiagnoses(brokers);
  return decorateQueues(queues, { paused, workers: celery.workers(stored), brokers, highBandAlertSec: rt.config.highBandAlertSec }).map((q) => withWarnings(q, celery.queueWarnings(q)));
}

/** Every worker, Celery ones completed from remote control (prefetch, concurrency, warnings). */
export async function listWorkers(): Promise<WorkerView[]> {
  const rt = runtime();
  const brokers = await allBrokers();
  const stored = await rt.state.workers.list();
  return celeryDiagnoses(brokers).workers(stored);
}

export function withWarnings(queue: Queue, warnings: readonly string[]): Queue {
  return warnings.length > 0 ? { ...queue, warnings: [...queue.warnings, ...warnings] } : queue;
}
