import type { Queue } from '@/lib/shared/types';
import { queueRef } from '@/lib/state/keys';
import type { PauseStore } from '@/lib/state/pause-store';

/** Sets `paused` on each queue from the pause store (one HGETALL for the whole list). */
export async function withPauseState(queues: readonly Queue[], store: Pick<PauseStore, 'all'>): Promise<Queue[]> {
  const paused = await store.all();
  return queues.map((q) => ({ ...q, paused: paused.has(queueRef(q.broker, q.name)) }));
}
