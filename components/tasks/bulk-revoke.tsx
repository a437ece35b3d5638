'use client';

import { useState } from 'react';
import { useRevokeTasks, type BulkRevokeTarget } from '@/lib/client/tasks';
import type { RevokeResult } from '@/lib/shared/revoke';
import { formatCount } from '../format';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { RevokeConfirmFooter } from '../task/revoke-confirm';

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;

/** What the bar acts on, as the operator reads it: ticked rows, or all that match the filter. */
export type BulkSelection = { kind: 'ids'; ids: string[] } | { kind: 'matching'; filter: Record<string, string>; count: number; capped: boolean };

const targetOf = (selection: BulkSelection): BulkRevokeTarget => (selection.kind === 'ids' ? { ids: selection.ids } : { filter: selection.filter });
const selectedCount = (selection: BulkSelection) => (selection.kind === 'ids' ? selection.ids.length : selection.count);
const whatSelected = (selection: BulkSelection) =>
  selection.kind === 'ids' ? plural(selection.ids.length, 'selected task') : `${formatCount(selection.count)} matching ${selection.count === 1 ? 'task' : 'tasks'}`;

function describeBulkResult(result: RevokeResult, asked: string): string {
  const parts = [`Revoked ${result.revoked} of ${asked}`];
  if (result.terminated > 0) parts.push(`${result.terminated} terminated while running`);
  if (result.alreadyRevoked) parts.push(`${result.alreadyRevoked} revoked already by someone else`);
  const archived = result.archives.reduce((n, a) => n + a.count, 0);
  if (archived > 0) parts.push(`${plural(archived, 'waiting message')} taken out of their queues (restorable from the queue page)`);
  const capped = result.capped ? ' It stopped at its limit of 1,000 tasks: more may match, run it again for the rest.' : '';
  return `${parts.join('; ')}.${capped}`;
}

function previewText(result: RevokeResult, selection: BulkSelection): string {
  if (selection.kind === 'ids') return `Found ${result.matched} of ${plural(selection.ids.length, 'selected task')}. Those already final are left as they are.`;
  const capped = result.capped ? ' (the first 1,000: one request handles no more; run it again for the rest)' : '';
  return `${plural(result.matched, 'task')} match the filter and are not final yet${capped}. Those already final are left as they are.`;
}

/**
 * Revoke or terminate the explorer's selected tasks (operators): the ticked rows, or every
 * task matching the filter. The confirmation first asks the server how many it finds (a dry
 * run) so the operator confirms a real count; tasks already final are left as they are.
 */
export function BulkRevokeBar({
  selection,
  filter,
  onSelectMatching,
  onClear,
  onDone,
}: {
  selection: BulkSelection;
  /** The explorer's active filter (its URL parameters); null when none: "all matching" is then not offered. */
  filter: Record<string, string> | null;
  onSelectMatching: (count: number, capped: boolean) => void;
  onClear: () => void;
  onDone: () => void;
}) {
  const [terminate, setTerminate] = useState<boolean | null>(null);
  // The selection as it was confirmed: the result speaks of it, whatever is selected since.
  const [asked, setAsked] = useState<BulkSelection | null>(null);
  const count = useRevokeTasks();
  const preview = useRevokeTasks();
  const revoke = useRevokeTasks();
  const selected = selectedCount(selection);
  const open = (wantTerminate: boolean) => {
    setTerminate(wantTerminate);
    revoke.reset();
    preview.mutate({ ...targetOf(selection), terminate: wantTerminate, dryRun: true });
  };
  const close = () => setTerminate(null);
  const confirm = () => {
    if (terminate === null) return;
    setAsked(selection);
    revoke.mutate({ ...targetOf(selection), terminate }, { onSuccess: onDone, onSettled: close });
  };
  const selectMatching = () => {
    if (!filter) return;
    count.mutate({ filter, terminate: false, dryRun: true }, { onSuccess: (r) => onSelectMatching(r.matched, r.capped === true) });
  };
  const verb = terminate ? 'Terminate' : 'Revoke';
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm" data-testid="task-bulk" aria-live="polite">
      <span data-testid="task-selected-count">
        {selection.kind === 'matching'
          ? `All ${formatCount(selection.count)} matching tasks selected${selection.capped ? ' (the first 1,000)' : ''}`
          : `${plural(selection.ids.length, 'task')} selected`}
      </span>
      {filter && selection.kind === 'ids' ? (
        <button
          type="button"
          className="font-medium text-sky-800 underline-offset-2 hover:underline dark:text-sky-300"
          onClick={selectMatching}
          disabled={count.isPending}
          data-testid="task-select-matching"
        >
          {count.isPending ? 'Counting…' : 'Select all matching this filter'}
        </button>
      ) : null}
      {selection.kind === 'matching' || selected > 0 ? (
        <button type="button" className="text-slate-700 underline-offset-2 hover:underline dark:text-slate-300" onClick={onClear} data-testid="task-select-clear">
          Clear selection
        </button>
      ) : null}
      {count.isError ? (
        <span role="alert" className="text-red-700 dark:text-red-400">
          Cannot count: {count.error.message}
        </span>
      ) : null}
      <Button size="sm" variant="dangerOutline" disabled={selected === 0} onClick={() => open(false)} data-testid="task-bulk-revoke">
        Revoke selected…
      </Button>
      <Button size="sm" variant="danger" disabled={selected === 0} onClick={() => open(true)} data-testid="task-bulk-terminate">
        Terminate selected…
      </Button>
      {terminate !== null ? (
        <Dialog
          title={`${verb} ${whatSelected(selection)}?`}
          testId="task-bulk-dialog"
          busy={revoke.isPending}
          onClose={close}
          footer={
            <RevokeConfirmFooter
              busy={revoke.isPending}
              label={verb}
              testId="task-bulk-confirm"
              ready={preview.isSuccess && preview.data.matched > 0}
              onCancel={close}
              onConfirm={confirm}
            />
          }
        >
          <p className="text-sm" aria-live="polite" data-testid="task-bulk-preview">
            {preview.isPending
              ? 'Counting what the server finds…'
              : preview.isError
                ? `Cannot count them: ${preview.error.message}`
                : preview.isSuccess
                  ? previewText(preview.data, selection)
                  : null}
          </p>
          <p className="text-sm">
            {terminate
              ? 'Workers will not start them; a running one is stopped (Triage workers abort it within a second; Celery workers kill it with SIGTERM).'
              : 'Workers will not start them; waiting messages are taken out of their queues and kept for undo. Running ones finish.'}
          </p>
        </Dialog>
      ) : null}
      {revoke.isSuccess && asked ? (
        <p role="status" data-testid="task-bulk-result" className="basis-full text-emerald-800 dark:text-emerald-300">
          {describeBulkResult(revoke.data, whatSelected(asked))}
        </p>
      ) : null}
      {revoke.isError ? (
        <p role="alert" data-testid="task-bulk-error" className="basis-full break-words text-red-700 dark:text-red-400">
          {revoke.error.message}
        </p>
      ) : null}
    </div>
  );
}
