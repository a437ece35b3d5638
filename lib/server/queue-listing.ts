import type { QueueBroker } from '@/lib/brokers/types';
import { decorateQueues } from '@/lib/control/queue-state';
import type { Queue } from '@/lib/shared/types';
import { addHistogram, emptyHistogram, queueWaitTimes, type WaitHistogram } from '@/lib/shared/wait-times';
import { queueRef } from '@/lib/state/keys';
import type { TriageState } from '@/lib/state/triage-state';
import type { QueueWaitHistograms } from '@/lib/state/wait-times';
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
  const [paused, stored, waits] = await Promise.all([
    rt.state.pauses.all().catch(() => new Map<string, unknown>()),
    rt.state.workers.list().catch(() => []),
    readWaitTimes(rt.state, brokers),
  ]);
  const celery = celeryDiagnoses(brokers);
  return decorateQueues(queues, { paused, workers: celery.workers(stored), brokers, highBandAlertSec: rt.config.highBandAlertSec }).map((q) =>
    withWaitTimes(withWarnings(q, celery.queueWarnings(q)), waits),
  );
}

/** The last 15 minutes of task waits on `brokers`, one round trip for all their queues; none when the state Redis does not answer. */
export function readWaitTimes(state: TriageState, brokers: readonly { id: string }[], nowMs?: number): Promise<QueueWaitHistograms> {
  return state.waitTimes.window(brokers.map((b) => b.id), nowMs).catch(() => new Map());
}

/**
 * `queue` with its waits per level and band over `windowSec` (the histograms' span); a lane
 * group's are its lanes' (workers record the lane they took from).
 */
export function withWaitTimes(queue: Queue, waits: QueueWaitHistograms, windowSec?: number): Queue {
  const members = [queue.name, ...(queue.lanes?.map((l) => l.queue) ?? [])];
  const byPriority = new Map<number | null, WaitHistogram>();
  for (const name of members) {
    for (const [priority, histogram] of waits.get(queueRef(queue.broker, name)) ?? []) {
      addHistogram(byPriority.get(priority) ?? byPriority.set(priority, emptyHistogram()).get(priority)!, histogram);
    }
  }
  return { ...queue, waitTimes: queueWaitTimes(byPriority, queue.levelOf, windowSec) };
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
