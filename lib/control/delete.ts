import type { ControlContext } from './context';
import { assertIdsPresent, runOperation } from './context';
import { selectionParams, selectorOf, type Match } from './schemas';

/** Deletes the selected waiting messages for good (no archive: purge keeps one). */
export async function deleteMessages(
  ctx: ControlContext,
  input: { broker: string; queue: string; ids?: string[]; match?: Match },
): Promise<{ matched: number; deleted: number; operationId: string }> {
  const broker = await ctx.broker(input.broker);
  const selector = selectorOf(input);
  return runOperation(
    ctx,
    { action: 'delete', target: { broker: input.broker, queue: input.queue }, params: selectionParams(input), locks: [{ broker: input.broker, queue: input.queue }] },
    async (progress) => {
      await assertIdsPresent(broker, input.queue, selector);
      const result = await broker.control.extract(input.queue, selector, null, { onProgress: progress });
      return { matched: result.matched, deleted: result.moved };
    },
  );
}
