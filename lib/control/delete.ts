import type { ControlContext } from './context';
import { assertIdsPresent, runOperation } from './context';
import { archiveSelection } from './purge';
import { selectionParams, selectorOf, type Match } from './schemas';
import { startUndoRecord } from './undo-record';

/**
 * Deletes the selected waiting messages, keeping them in an archive for 24 h like a purge
 * (restorable from the queue page or by undoing the audit entry).
 */
export async function deleteMessages(
  ctx: ControlContext,
  input: { broker: string; queue: string; ids?: string[]; match?: Match },
): Promise<{ matched: number; deleted: number; archiveId: string; operationId: string }> {
  const broker = await ctx.broker(input.broker);
  const selector = selectorOf(input);
  return runOperation(
    ctx,
    { action: 'delete', target: { broker: input.broker, queue: input.queue }, params: selectionParams(input), locks: [{ broker: input.broker, queue: input.queue }] },
    async (progress, _signal, operationId) => {
      await assertIdsPresent(broker, input.queue, selector);
      const from = { broker: input.broker, queue: input.queue };
      let matched = 0;
      const archived = await archiveSelection(
        ctx,
        broker,
        input.queue,
        selector,
        (p) => {
          matched = p.matched;
          progress(p);
        },
        (archiveId) => startUndoRecord(ctx, operationId, { action: 'delete', from, to: null, archiveId }).then(() => {}),
      );
      return { matched: Math.max(matched, archived.moved), deleted: archived.moved, archiveId: archived.archiveId };
    },
  );
}
