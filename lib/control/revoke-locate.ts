import type { QueueBroker } from '@/lib/brokers/types';
import { isTriageError } from '@/lib/shared/errors';
import { isDeadQueue } from '@/lib/shared/parking';
import type { TaskRecord } from '@/lib/shared/task-record';
import type { ControlContext } from './context';
import { runPreview } from './previews';
import { scanQueues } from './search';

/** A queue holding some of the ids a revoke names. */
export interface WaitingIn {
  broker: QueueBroker;
  queue: string;
  ids: string[];
}

// Brokers that cannot read a queue without side effects (RabbitMQ: fetch and requeue) are
// read from the head at most this far in the queue a record names, as the id search does.
const RECORDED_QUEUE_CAP = 10_000;

/**
 * Where the ids of a revoke wait, looked for where they most likely are first:
 * - an id whose record (`records[i]`) names a queue is looked for there, all of them at once;
 * - an id with no record, or one that could still be waiting elsewhere (its record says
 *   `queued` or `retrying`, and a move may have taken it on), is then looked for in every
 *   listed queue (dead-letter queues aside) within the id search's concurrency and budget
 *   (search.ts `scanQueues`). A running or final task waits nowhere: it is not looked for.
 * Brokers that read without side effects are asked for the ids exactly.
 */
export async function locateWaiting(ctx: ControlContext, ids: readonly string[], records: readonly (TaskRecord | null)[]): Promise<Map<string, WaitingIn>> {
  const found = new Map<string, WaitingIn>();
  const add = (broker: QueueBroker, queue: string, here: readonly string[]) => {
    if (here.length === 0) return;
    const key = `${broker.id}\t${queue}`;
    const entry = found.get(key) ?? { broker, queue, ids: [] };
    entry.ids.push(...here.filter((id) => !entry.ids.includes(id)));
    found.set(key, entry);
  };

  const byQueue = new Map<string, { broker: string; queue: string; ids: string[] }>();
  ids.forEach((id, i) => {
    const record = records[i];
    if (!record || !ctx.brokerIds.includes(record.broker) || isDeadQueue(record.queue)) return;
    const key = `${record.broker}\t${record.queue}`;
    const group = byQueue.get(key) ?? { broker: record.broker, queue: record.queue, ids: [] };
    group.ids.push(id);
    byQueue.set(key, group);
  });
  await Promise.all(
    [...byQueue.values()].map(async (group) => {
      const broker = await reachable(ctx, group.broker);
      if (broker) add(broker, group.queue, await idsIn(broker, group.queue, new Set(group.ids)));
    }),
  );

  const located = new Set([...found.values()].flatMap((w) => w.ids));
  const elsewhere = new Set(ids.filter((id, i) => !located.has(id) && (!records[i] || records[i].state === 'queued' || records[i].state === 'retrying')));
  if (elsewhere.size === 0) return found;
  await Promise.all(
    ctx.brokerIds.map(async (brokerId) => {
      const broker = await reachable(ctx, brokerId);
      if (!broker) return;
      const queues = await broker.listQueues().catch(unavailableAs([]));
      const names = queues
        // A read with side effects spares queues listed empty, unless configured: a listed
        // depth can be seconds old (RabbitMQ's statistics), and configured queues are where tasks go.
        .filter((q) => !isDeadQueue(q.name) && q.details.exists !== false && (broker.control.capabilities.nonDestructiveScan || q.depth > 0 || q.details.configured === true))
        .map((q) => q.name);
      await scanQueues(broker, names, {
        read: async (queue, share, signal) => {
          if (broker.control.capabilities.nonDestructiveScan) {
            const counted = await broker.control.extract(queue, { ids: [...elsewhere] }, null, { dryRun: true, signal });
            return { ids: counted.foundIds ?? [], scanned: 0, complete: true };
          }
          const read = await broker.control.findWaiting(queue, '', { cap: share, limit: share, signal });
          return { ids: read.found.map((m) => m.id).filter((id) => elsewhere.has(id)), scanned: read.scanned, complete: read.complete };
        },
        found: (queue, read) => {
          add(broker, queue, read.ids);
          for (const id of read.ids) elsewhere.delete(id);
        },
        done: () => elsewhere.size === 0,
      });
    }),
  );
  return found;
}

async function idsIn(broker: QueueBroker, queue: string, wanted: ReadonlySet<string>): Promise<string[]> {
  try {
    if (broker.control.capabilities.nonDestructiveScan) {
      const counted = await broker.control.extract(queue, { ids: [...wanted] }, null, { dryRun: true });
      return counted.foundIds ?? [];
    }
    const read = await runPreview(
      { broker: broker.id, queue },
      (signal) => broker.control.findWaiting(queue, '', { cap: RECORDED_QUEUE_CAP, limit: RECORDED_QUEUE_CAP, signal }),
      { yieldToOthers: true },
    );
    return [...new Set(read.found.map((m) => m.id).filter((id) => wanted.has(id)))];
  } catch (error) {
    if (isTriageError(error) && (error.code === 'NOT_FOUND' || error.code === 'UNAVAILABLE')) return [];
    throw error;
  }
}

async function reachable(ctx: ControlContext, brokerId: string): Promise<QueueBroker | null> {
  return ctx.broker(brokerId).catch(unavailableAs(null));
}

function unavailableAs<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (isTriageError(error) && error.code === 'UNAVAILABLE') return value;
    throw error;
  };
}
