/** Audit actions whose entries can be undone (POST /api/v1/audit/{id}/undo): those that changed waiting messages. */
export const UNDOABLE_ACTIONS: readonly string[] = ['reprioritize', 'move', 'drain', 'delete', 'purge'];

/** What an undo (or its dry run) answers. */
export type UndoCounts = {
  /** Recorded messages still where the action put them (or still archived). */
  restorable: number;
  /** Of those, put back (0 for a dry run). */
  restored: number;
  /** Recorded messages no longer findable: run by a worker since (or restored another way). */
  alreadyRun: number;
};
