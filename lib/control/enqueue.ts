import { randomUUID } from 'node:crypto';
import type { EnqueueItem, QueueBroker } from '@/lib/brokers/types';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { TriageError } from '@/lib/shared/errors';
import type { EnqueueBody } from '@/lib/shared/types';
import { audited, type ControlContext } from './context';
import { auditedIds } from './schemas';

/**
 * Enqueues `count` copies of one task (each its own id) at one priority. Returns the ids in
 * enqueue order; FIFO within the priority is kept by the adapter. A request that would add
 * more than `maxBytes` to the broker is refused before anything is sent (413): a 9 KiB body
 * asking for 10,000 copies of a 10 KB argument is 150 MiB of broker memory.
 */
async function enqueueTasks(
  broker: QueueBroker,
  queue: string,
  body: EnqueueBody,
  options: { defaultPriority: number; maxBytes: number },
): Promise<string[]> {
  const priority = body.priority ?? options.defaultPriority;
  const eta = body.eta ?? (body.countdown !== undefined ? new Date(Date.now() + body.countdown * 1000).toISOString() : null);
  const enqueuedAt = new Date();
  const items: EnqueueItem[] = Array.from({ length: body.count ?? 1 }, () => ({
    priority,
    spec: { id: randomUUID(), task: body.task, args: body.args ?? [], kwargs: body.kwargs ?? {}, eta, enqueuedAt },
  }));
  assertWithinBytes(items, options.maxBytes);
  return broker.enqueue(queue, items);
}

/** Copies differ only in their ids, so one message's size times the count is the total. */
function assertWithinBytes(items: readonly EnqueueItem[], maxBytes: number): void {
  const first = items[0];
  if (!first) return;
  // kombu's Redis envelope (base64 body) is the larger of the two wire forms.
  const each = Buffer.byteLength(toRedisPayload(buildTaskMessage(first.spec, first.priority), { routingKey: '' }));
  const total = each * items.length;
  if (total > maxBytes) {
    throw new TriageError(
      'TOO_LARGE',
      `this enqueue would add about ${total} bytes (${items.length} × ${each}); one request may add at most ${maxBytes} (TRIAGE_ENQUEUE_MAX_BYTES)`,
      { limit: maxBytes, bytes: total, count: items.length, messageBytes: each },
    );
  }
}

/**
 * `enqueueTasks` on behalf of `ctx.actor`, audited: who put how many of which task at which
 * priority. Arguments are left out of the record (they may carry personal data, and can be large).
 */
export function enqueueAudited(
  ctx: ControlContext,
  target: { broker: string; queue: string },
  body: EnqueueBody,
  options: { defaultPriority: number; maxBytes: number },
): Promise<string[]> {
  const params = {
    task: body.task,
    priority: body.priority ?? options.defaultPriority,
    count: body.count ?? 1,
    ...(body.eta !== undefined ? { eta: body.eta } : {}),
    ...(body.countdown !== undefined ? { countdown: body.countdown } : {}),
  };
  return audited(
    ctx,
    { action: 'enqueue', target, params },
    async () => enqueueTasks(await ctx.broker(target.broker), target.queue, body, options),
    (ids) => ({ enqueued: ids.length, ids: auditedIds(ids) }),
  );
}
