import type { QueueBroker } from '@/lib/brokers/types';
import { decorateQueues } from '@/lib/control/queue-state';
import type { Queue } from '@/lib/shared/types';
import { PauseStore } from '@/lib/state/pause-store';
import { WorkerStore } from '@/lib/state/worker-store';
import { runtime } from './runtime';

/**
 * Queues as the API shows them: the broker's view plus Triage's own state (pause, live
 * workers). If the state Redis is unreachable the broker's view is still served.
 */
export async function decorate(queues: readonly Queue[], brokers: readonly QueueBroker[]): Promise<Queue[]> {
  const rt = runtime();
  const [paused, workers] = await Promise.all([
    new PauseStore(rt.stateRedis, rt.config.statePrefix).all().catch(() => new Map<string, unknown>()),
    new WorkerStore(rt.stateRedis, rt.config.statePrefix).list().catch(() => []),
  ]);
  return decorateQueues(queues, { paused, workers, brokers });
}
