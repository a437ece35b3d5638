import { randomUUID } from 'node:crypto';
import type { EnqueueItem, QueueBroker } from '@/lib/brokers/types';
import type { EnqueueBody } from '@/lib/shared/types';
import { audited, type ControlContext } from './context';
import { auditedIds } from './schemas';

/**
 * Enqueues `count` copies of one task (each its own id) at one priority. Returns the ids in
 * enqueue order; FIFO within the priority is kept by the adapter.
 */
export async function enqueueTasks(broker: QueueBroker, queue: string, body: EnqueueBody, defaultPriority: number): Promise<string[]> {
  const priority = body.priority ?? defaultPriority;
  const eta = body.eta ?? (body.countdown !== undefined ? new Date(Date.now() + body.countdown * 1000).toISOString() : null);
  const enqueuedAt = new Date();
  const items: EnqueueItem[] = Array.from({ length: body.count ?? 1 }, () => ({
    priority,
    spec: { id: randomUUID(), task: body.task, args: body.args ?? [], kwargs: body.kwargs ?? {}, eta, enqueuedAt },
  }));
  return broker.enqueue(queue, items);
}

/**
 * `enqueueTasks` on behalf of `ctx.actor`, audited: who put how many of which task at which
 * priority. Arguments are left out of the record (they may carry personal data, and can be large).
 */
export function enqueueAudited(ctx: ControlContext, target: { broker: string; queue: string }, body: EnqueueBody, defaultPriority: number): Promise<string[]> {
  const params = {
    task: body.task,
    priority: body.priority ?? defaultPriority,
    count: body.count ?? 1,
    ...(body.eta !== undefined ? { eta: body.eta } : {}),
    ...(body.countdown !== undefined ? { countdown: body.countdown } : {}),
  };
  return audited(
    ctx,
    { action: 'enqueue', target, params },
    async () => enqueueTasks(await ctx.broker(target.broker), target.queue, body, defaultPriority),
    (ids) => ({ enqueued: ids.length, ids: auditedIds(ids) }),
  );
}
