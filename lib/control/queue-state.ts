import type { QueueBroker } from '@/lib/brokers/types';
import { highBandAlert } from '@/lib/shared/bands';
import type { Queue } from '@/lib/shared/types';
import { queueRef } from '@/lib/state/keys';
import type { PauseStore } from '@/lib/state/pause-store';
import type { WorkerView } from '@/lib/state/worker-store';

/** Sets `paused` on each queue from the pause store (one HGETALL for the whole list). */
export async function withPauseState(queues: readonly Queue[], store: Pick<PauseStore, 'all'>): Promise<Queue[]> {
  const paused = await store.all();
  return queues.map((q) => ({ ...q, paused: paused.has(queueRef(q.broker, q.name)) }));
}

/**
 * What Triage's own state adds to a broker's view of its queues: whether Triage paused
 * them, whether urgent work waits too long (`highBandAlertSec`, from the config), and — on
 * brokers that keep no consumer registry (kombu on Redis) — how many live Triage workers
 * serve them. That count is a lower bound (Celery workers may consume too), so zero stays
 * `null`, "cannot tell".
 */
export function decorateQueues(
  queues: readonly Queue[],
  state: {
    paused: ReadonlyMap<string, unknown>;
    workers: readonly WorkerView[];
    brokers: readonly Pick<QueueBroker, 'id' | 'capabilities'>[];
    highBandAlertSec: number;
  },
): Queue[] {
  return queues.map((queue) => {
    const paused = state.paused.has(queueRef(queue.broker, queue.name));
    const alert = highBandAlert(queue, state.highBandAlertSec);
    const broker = state.brokers.find((b) => b.id === queue.broker);
    if (!broker || broker.capabilities.consumerCount) return { ...queue, paused, highBandAlert: alert };
    const members = new Set([queue.name, ...(queue.lanes?.map((l) => l.queue) ?? [])]);
    const serving = state.workers.filter((w) => !w.stale && w.broker === queue.broker && w.queues.some((q) => members.has(q)));
    const slots = serving.reduce((sum, w) => sum + w.concurrency, 0);
    return { ...queue, paused, highBandAlert: alert, consumers: slots > 0 ? slots : queue.consumers };
  });
}
