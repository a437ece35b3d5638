import type { MovedMessage } from '@/lib/brokers/types';
import { UNDOABLE_ACTIONS } from '@/lib/shared/undo';
import type { UndoPlace } from '@/lib/state/undo-records';
import type { ControlContext } from './context';

/** Audit actions whose entries can be undone: the control actions that change waiting messages. */
export const UNDOABLE: ReadonlySet<string> = new Set(UNDOABLE_ACTIONS);

/**
 * Starts the undo record of operation `operationId` and returns the function that records
 * each batch (pass it as ControlOptions.record, or call it with the ids and where each
 * sat). `to` is where the messages go (their own queue for a reprioritize); an operation
 * that archives them names the archive instead. The record is written before anything
 * moves, so an operation killed mid-way can be undone for what it did.
 */
export async function startUndoRecord(
  ctx: Pick<ControlContext, 'state' | 'actor'>,
  operationId: string,
  spec: { action: string; from: UndoPlace; to: UndoPlace | null; archiveId?: string },
): Promise<(batch: readonly MovedMessage[]) => Promise<void>> {
  const store = ctx.state.undo;
  await store.begin({ operationId, ...spec, at: new Date().toISOString(), by: ctx.actor.name });
  return (batch) => store.append(operationId, batch);
}
