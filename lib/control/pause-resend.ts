import type { QueueBroker } from '@/lib/brokers/types';
import type { PauseStore } from '@/lib/state/pause-store';
import { celeryConsumersOf } from './celery-consumers';

/**
 * Celery's pause (`cancel_consumer`) lives only in a running worker's memory: a worker that
 * starts, or restarts, consumes its `-Q` queues again. So whenever a Celery worker comes
 * online, every queue Triage holds paused on that broker is cancelled again, and whoever
 * was found consuming one is remembered with the pause, so its resume reaches that worker
 * too (celery-consumers.ts). Sent a few times, because on Redis a fresh worker's
 * remote-control subscription may start just after it announces itself; cancelling twice
 * is harmless.
 */
export const RESEND_DELAYS_MS = [0, 2000, 5000] as const;

export async function resendPauses(
  broker: Pick<QueueBroker, 'id' | 'control'>,
  pauses: Pick<PauseStore, 'all' | 'rememberCeleryConsumers'>,
): Promise<number> {
  const prefix = `${broker.id}/`;
  const queues = [...(await pauses.all()).keys()].filter((ref) => ref.startsWith(prefix)).map((ref) => ref.slice(prefix.length));
  if (queues.length === 0) return 0;
  const membersOf = new Map<string, string[]>();
  for (const queue of queues) membersOf.set(queue, await broker.control.memberQueues(queue));
  const consumers = await celeryConsumersOf(broker.control, [...membersOf.values()].flat());
  let sent = 0;
  for (const [queue, members] of membersOf) {
    await pauses.rememberCeleryConsumers(broker.id, queue, consumers.filter((c) => members.includes(c.queue)));
    for (const member of members) {
      await broker.control.broadcast('cancel_consumer', { queue: member });
      sent += 1;
    }
  }
  return sent;
}

export function scheduleResend(run: () => Promise<unknown>, onError: (error: unknown) => void): void {
  for (const delay of RESEND_DELAYS_MS) {
    const timer = setTimeout(() => void run().catch(onError), delay);
    timer.unref();
  }
}
