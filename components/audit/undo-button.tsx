'use client';

import { useState } from 'react';
import type { AuditEntryInfo } from '@/lib/client/queries';
import { useUndo, useUndoPreview } from '@/lib/client/undo';
import { UNDOABLE_ACTIONS } from '@/lib/shared/undo';
import { formatCount } from '../format';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The dry run's counts, then (after the operator confirms) the undo's own. */
function UndoDialog({ entry, onClose }: { entry: AuditEntryInfo; onClose: () => void }) {
  const preview = useUndoPreview(entry.id);
  const undo = useUndo(entry.id);
  const where = entry.target.broker && entry.target.queue ? `${entry.target.broker}/${entry.target.queue}` : 'its queue';
  return (
    <Dialog
      title={`Undo ${entry.action}`}
      testId="undo-dialog"
      busy={undo.isPending}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose} disabled={undo.isPending}>
            {undo.isSuccess ? 'Close' : 'Cancel'}
          </Button>
          {undo.isSuccess ? null : (
            <Button
              variant="primary"
              data-testid="undo-confirm"
              disabled={undo.isPending || !preview.data || preview.data.restorable === 0}
              onClick={() => undo.mutate()}
            >
              {undo.isPending ? 'Undoing…' : 'Undo'}
            </Button>
          )}
        </>
      }
    >
      {undo.isSuccess ? (
        <p role="status" data-testid="undo-result" className="text-emerald-800 dark:text-emerald-300">
          Put back {plural(undo.data.restored, 'message')} in {where}
          {undo.data.alreadyRun > 0 ? `; ${plural(undo.data.alreadyRun, 'message was', 'messages were')} no longer waiting (already run)` : ''}.
        </p>
      ) : preview.isPending ? (
        <p className="text-slate-500">Counting what can be put back…</p>
      ) : preview.isError ? (
        <p role="alert" className="text-red-800 dark:text-red-300" data-testid="undo-refused">
          {preview.error.message}
        </p>
      ) : (
        <div className="space-y-2" data-testid="undo-preview">
          <p>
            {plural(preview.data.restorable, 'message')} will go back to {where}, each at the priority it had before this {entry.action}.
          </p>
          {preview.data.alreadyRun > 0 ? (
            <p className="text-slate-600 dark:text-slate-400">{plural(preview.data.alreadyRun, 'message has', 'messages have')} already run and cannot be put back.</p>
          ) : null}
        </div>
      )}
      {undo.error ? (
        <p role="alert" className="text-red-800 dark:text-red-300">
          Undo failed: {undo.error.message}
        </p>
      ) : null}
    </Dialog>
  );
}

/** Operators and admins: an audit entry that changed waiting messages can be undone once. */
export function UndoButton({ entry }: { entry: AuditEntryInfo }) {
  const [open, setOpen] = useState(false);
  if (!UNDOABLE_ACTIONS.includes(entry.action)) return null;
  return (
    <div className="mt-1">
      <button type="button" data-testid="audit-undo" onClick={() => setOpen(true)} className="font-medium text-sky-800 underline dark:text-sky-300">
        Undo…
      </button>
      {open ? <UndoDialog entry={entry} onClose={() => setOpen(false)} /> : null}
    </div>
  );
}
