import type { ControlContext } from './context';
import { assertIdsPresent, previewFlags, runOperation } from './context';
import { selectionParams, selectorOf, type Match } from './schemas';
import { startUndoRecord } from './undo-record';

export interface ReprioritizeInput {
  broker: string;
  queue: string;
  priority: number;
  ids?: string[];
  match?: Match;
  dryRun?: boolean;
}

/**
 * Gives the selected waiting messages a new priority inside their queue. They join the
 * back of their new priority, in the order they had (FIFO within a priority holds).
 * `matched` counts every selected message; `moved` those whose level actually changed
 * (a message already at the requested level stays where it is). `dryRun` changes nothing
 * and reports `moved: 0`; `estimate: true` when it counted from broker statistics (see
 * ControlResult).
 */
export async function reprioritize(ctx: ControlContext, input: ReprioritizeInput): Promise<{ matched: number; moved: number; estimate?: boolean; partial?: boolean; operationId: string }> {
  const broker = await ctx.broker(input.broker);
  const selector = selectorOf(input);
  return runOperation(
    ctx,
    {
      action: input.dryRun ? 'reprioritize.preview' : 'reprioritize',
      target: { broker: input.broker, queue: input.queue },
      params: { priority: input.priority, ...selectionParams(input), ...(input.dryRun ? { dryRun: true } : {}) },
      locks: input.dryRun ? [] : [{ broker: input.broker, queue: input.queue }],
      preview: input.dryRun,
    },
    async (progress, signal, operationId) => {
      await assertIdsPresent(broker, input.queue, selector);
      const here = { broker: input.broker, queue: input.queue };
      const record = input.dryRun ? undefined : await startUndoRecord(ctx, operationId, { action: 'reprioritize', from: here, to: here });
      const result = await broker.control.relocate(input.queue, selector, { queue: input.queue, priority: input.priority }, {
        dryRun: input.dryRun,
        onProgress: progress,
        signal,
        record,
      });
      return { matched: result.matched, moved: input.dryRun ? 0 : result.moved, ...previewFlags(result) };
    },
  );
}
