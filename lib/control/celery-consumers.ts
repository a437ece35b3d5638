import type { BrokerControl } from '@/lib/brokers/types';
import type { CeleryConsumer, PauseStore } from '@/lib/state/pause-store';

/**
 * Pause and resume for real Celery workers. Celery's `add_consumer` makes a worker consume a
 * queue whether or not it ever did, so a resume broadcast to every worker would turn workers
 * that serve other queues into consumers of this one. So a pause first asks who consumes
 * the queue (`active_queues`) and remembers them with the pause; the resume sends
 * `add_consumer` to those hostnames only. `cancel_consumer` still goes to every worker: on
 * one that does not consume the queue it changes nothing, and a worker too slow to answer
 * in time is paused all the same (it is then not resumed: restarting it restores its `-Q`).
 */

/**
 * How long a pause waits for `active_queues` replies. Both adapters return as soon as every
 * worker answered; the limit is for a worker slow to answer on a loaded machine, which
 * would be cancelled but, unrecorded, never resumed (1 s missed one in a CI run).
 */
export const ACTIVE_QUEUES_TIMEOUT_MS = 3000;

/** The Celery workers consuming any of `queues` now, per queue. */
export async function celeryConsumersOf(control: BrokerControl, queues: readonly string[]): Promise<CeleryConsumer[]> {
  const [replies] = await control.inspect([{ method: 'active_queues' }], ACTIVE_QUEUES_TIMEOUT_MS);
  const wanted = new Set(queues);
  const found: CeleryConsumer[] = [];
  for (const [hostname, reply] of replies ?? []) {
    if (!Array.isArray(reply)) continue;
    for (const declared of reply as unknown[]) {
      const name = typeof declared === 'object' && declared !== null ? (declared as { name?: unknown }).name : undefined;
      if (typeof name === 'string' && wanted.has(name)) found.push({ queue: name, hostname });
    }
  }
  return found;
}

/** Remembers the consumers of a paused queue's members, then cancels the members everywhere. Returns whether any worker heard it, and who was consuming. */
export async function pauseCeleryConsumers(
  control: BrokerControl,
  pauses: Pick<PauseStore, 'rememberCeleryConsumers'>,
  ref: { broker: string; queue: string },
  members: readonly string[],
): Promise<{ reached: boolean; hostnames: string[] }> {
  const consumers = await celeryConsumersOf(control, members);
  await pauses.rememberCeleryConsumers(ref.broker, ref.queue, consumers);
  const reached = await Promise.all(members.map((member) => control.broadcast('cancel_consumer', { queue: member })));
  return { reached: reached.some(Boolean), hostnames: hostnamesOf(consumers) };
}

/** `add_consumer` to the workers a pause cancelled, each for the member queues it consumed. Returns their hostnames. */
export async function resumeCeleryConsumers(control: BrokerControl, consumers: readonly CeleryConsumer[]): Promise<string[]> {
  const hostsByQueue = new Map<string, string[]>();
  for (const { queue, hostname } of consumers) hostsByQueue.set(queue, [...(hostsByQueue.get(queue) ?? []), hostname]);
  for (const [queue, hostnames] of hostsByQueue) await control.broadcast('add_consumer', { queue }, hostnames);
  return hostnamesOf(consumers);
}

function hostnamesOf(consumers: readonly CeleryConsumer[]): string[] {
  return [...new Set(consumers.map((c) => c.hostname))];
}
