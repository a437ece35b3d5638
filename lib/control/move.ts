import { TriageError } from '@/lib/shared/errors';
import type { ControlContext } from './context';
import { assertIdsPresent, previewFlags, runOperation } from './context';
import { selectionParams, selectorOf, type Match, type QueueRef } from './schemas';
import { transfer } from './transfer';
import { startUndoRecord } from './undo-record';

export interface MoveInput {
  broker: string;
  queue: string;
  to: QueueRef;
  ids?: string[];
  match?: Match;
  /** null/undefined: keep each message's level. */
  priority?: number;
  dryRun?: boolean;
}

/**
 * Moves the selected waiting messages to another queue, on the same broker or the other
 * one, keeping or setting their priority. The target must exist (404) and be able to hold
 * them (RabbitMQ: a classic priority queue that drops nothing, else 422); moving a queue
 * onto itself is a 409.
 */
export async function move(ctx: ControlContext, input: MoveInput): Promise<{ matched: number; moved: number; estimate?: boolean; partial?: boolean; operationId: string }> {
  const source = await ctx.broker(input.broker);
  const target = await ctx.broker(input.to.broker);
  const selector = selectorOf(input);
  return runOperation(
    ctx,
    {
      action: input.dryRun ? 'move.preview' : 'move',
      target: { broker: input.broker, queue: input.queue },
      params: { to: input.to, ...(input.priority !== undefined ? { priority: input.priority } : {}), ...selectionParams(input), ...(input.dryRun ? { dryRun: true } : {}) },
      locks: input.dryRun ? [] : [{ broker: input.broker, queue: input.queue }],
      preview: input.dryRun,
    },
    async (progress, signal, operationId) => {
      if (input.broker === input.to.broker && input.queue === input.to.queue) {
        // Checked before anything else, so the answer is the same whatever the queue holds.
        throw new TriageError('CONFLICT', `cannot move ${input.broker}/${input.queue} onto itself`);
      }
      await assertIdsPresent(source, input.queue, selector);
      if (input.dryRun) {
        await target.control.prepareTarget(input.to.queue);
        const counted = await source.control.extract(input.queue, selector, null, { dryRun: true, onProgress: progress, signal });
        return { matched: counted.matched, moved: 0, ...previewFlags(counted) };
      }
      const record = await startUndoRecord(ctx, operationId, { action: 'move', from: { broker: input.broker, queue: input.queue }, to: input.to });
      const result = await transfer({ broker: source, queue: input.queue }, { broker: target, queue: input.to.queue }, selector, input.priority ?? null, {
        onProgress: progress,
        record,
      });
      return { matched: result.matched, moved: result.moved };
    },
  );
}
