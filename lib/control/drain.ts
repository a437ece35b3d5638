import { drainedQueueName } from '@/lib/shared/parking';
import type { ControlContext } from './context';
import { runOperation } from './context';
import type { QueueRef } from './schemas';
import { transfer } from './transfer';
import { startUndoRecord } from './undo-record';


/**
 * Moves every waiting message of a queue to a parking queue (`<queue>.drained`, created
 * like the source when missing: on Redis it takes the source's steps and separator, on
 * RabbitMQ its x-max-priority) or a chosen target, keeping each task's own priority. Messages a
 * consumer takes meanwhile are executed, not drained; each is counted once, where it went.
 */
export async function drain(
  ctx: ControlContext,
  input: { broker: string; queue: string; to?: QueueRef },
): Promise<{ moved: number; to: QueueRef; operationId: string }> {
  const to = input.to ?? { broker: input.broker, queue: drainedQueueName(input.queue) };
  const source = await ctx.broker(input.broker);
  const target = await ctx.broker(to.broker);
  return runOperation(ctx, { action: 'drain', target: { broker: input.broker, queue: input.queue }, params: { to }, locks: [{ broker: input.broker, queue: input.queue }] }, async (progress, _signal, operationId) => {
    const record = await startUndoRecord(ctx, operationId, { action: 'drain', from: { broker: input.broker, queue: input.queue }, to });
    const result = await transfer({ broker: source, queue: input.queue }, { broker: target, queue: to.queue }, {}, null, {
      onProgress: progress,
      record,
      target: { create: true, ...(to.broker === input.broker ? { like: input.queue } : {}) },
    });
    return { moved: result.moved, to };
  });
}

/**
 * The reverse of a drain: moves everything from the parking queue (`<queue>.drained` by
 * default, or `from`) back into the queue, keeping each task's own priority. On Redis they
 * go back in their original order ahead of what arrived while they were parked; RabbitMQ
 * only appends, so there they queue behind newer messages of their priority.
 */
export async function restoreDrained(
  ctx: ControlContext,
  input: { broker: string; queue: string; from?: QueueRef },
): Promise<{ moved: number; from: QueueRef; to: QueueRef; operationId: string }> {
  const from = input.from ?? { broker: input.broker, queue: drainedQueueName(input.queue) };
  const to = { broker: input.broker, queue: input.queue };
  const source = await ctx.broker(from.broker);
  const target = await ctx.broker(input.broker);
  return runOperation(ctx, { action: 'restore', target: { broker: input.broker, queue: input.queue }, params: { from }, locks: [from] }, async (progress) => {
    const result = await transfer({ broker: source, queue: from.queue }, { broker: target, queue: input.queue }, {}, null, {
      onProgress: progress,
      at: 'front',
    });
    return { moved: result.moved, from, to };
  });
}
