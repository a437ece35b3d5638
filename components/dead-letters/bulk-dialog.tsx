'use client';

import { useState } from 'react';
import { groupRows, runBulk, type BulkAction, type BulkProgress, type DeadRow, type GroupResult } from '@/lib/client/dead-letters';
import { formatCount } from '../format';
import { PrioritySelect } from './priority-select';
import { useModalDialog } from '../use-modal-dialog';
import { DISABLED_LOOK } from '../ui/button';

type Phase = { kind: 'preview' } | { kind: 'running'; progress: BulkProgress } | { kind: 'done'; results: GroupResult[] };

const button =
  `rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${DISABLED_LOOK}`;

function Summary({ results, action }: { results: GroupResult[]; action: BulkAction }) {
  const done = results.reduce((n, r) => n + r.done, 0);
  const selected = results.reduce((n, r) => n + r.selected, 0);
  const verb = action === 'retry' ? 'Retried' : 'Deleted';
  return (
    <div className="space-y-2" data-testid="bulk-result">
      <p className="font-semibold" role="status">
        {verb} {formatCount(done)} of {formatCount(selected)} selected.
      </p>
      <ul className="space-y-1 text-sm">
        {results.map((r) => (
          <li key={`${r.broker}/${r.queue}`} className={r.error ? 'text-red-700 dark:text-red-400' : ''}>
            <span className="font-mono">
              {r.broker}/{r.queue}
            </span>
            : {r.error ? `nothing changed: ${r.error}` : `${formatCount(r.done)} of ${formatCount(r.selected)}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Preview → progress → exact result for a retry or delete of selected dead letters. A native
 * modal <dialog>: it keeps focus inside and closes on Escape (not while running).
 */
export function BulkDialog({ action, rows, onClose }: { action: BulkAction; rows: DeadRow[]; onClose: (changed: boolean) => void }) {
  const ref = useModalDialog(true);
  const [phase, setPhase] = useState<Phase>({ kind: 'preview' });
  const [priority, setPriority] = useState<number | null>(null);
  const groups = groupRows(rows);
  const running = phase.kind === 'running';

  async function start() {
    setPhase({ kind: 'running', progress: { group: 0, groups: groups.length, current: null } });
    const results = await runBulk(action, rows, priority, (progress) => setPhase({ kind: 'running', progress }));
    setPhase({ kind: 'done', results });
  }

  const verb = action === 'retry' ? 'Retry' : 'Delete';
  return (
    <dialog
      ref={ref}
      aria-labelledby="bulk-title"
      data-testid="bulk-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!running) onClose(phase.kind === 'done');
      }}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-black/40 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id="bulk-title" className="text-lg font-semibold">
        {verb} {formatCount(rows.length)} dead {rows.length === 1 ? 'letter' : 'letters'}
      </h2>
      <div className="mt-3 space-y-3 text-sm">
        {phase.kind === 'preview' ? (
          <>
            <p data-testid="bulk-preview">
              {formatCount(rows.length)} {rows.length === 1 ? 'task' : 'tasks'} in {groups.length}{' '}
              {groups.length === 1 ? 'dead-letter queue' : 'dead-letter queues'}:
            </p>
            <ul className="space-y-0.5">
              {groups.map((g) => (
                <li key={`${g.broker}/${g.queue}`} className="font-mono">
                  {g.broker}/{g.queue}: {formatCount(g.ids.length)}
                </li>
              ))}
            </ul>
            {action === 'retry' ? (
              <label className="flex items-center gap-2" htmlFor="bulk-priority">
                Back to their queue at
                <PrioritySelect id="bulk-priority" value={priority} onChange={setPriority} />
              </label>
            ) : (
              <p className="text-red-700 dark:text-red-400">Deleted dead letters are gone for good.</p>
            )}
          </>
        ) : null}
        {phase.kind === 'running' ? (
          <p role="status" data-testid="bulk-progress">
            Working on queue {phase.progress.group + 1} of {phase.progress.groups}
            {phase.progress.current
              ? `: ${formatCount(phase.progress.current.moved)} of ${formatCount(phase.progress.current.matched)} done`
              : '…'}
          </p>
        ) : null}
        {phase.kind === 'done' ? <Summary results={phase.results} action={action} /> : null}
      </div>
      <div className="mt-5 flex justify-end gap-2">
        {phase.kind === 'preview' ? (
          <>
            <button type="button" className={`${button} border border-slate-300 dark:border-slate-600`} onClick={() => onClose(false)}>
              Cancel
            </button>
            <button
              type="button"
              autoFocus
              className={`${button} text-white ${action === 'delete' ? 'bg-red-700 hover:bg-red-800' : 'bg-sky-700 hover:bg-sky-800'}`}
              onClick={() => void start()}
            >
              {verb} {formatCount(rows.length)}
            </button>
          </>
        ) : (
          <button
            type="button"
            disabled={running}
            className={`${button} border border-slate-300 dark:border-slate-600`}
            onClick={() => onClose(true)}
          >
            Close
          </button>
        )}
      </div>
    </dialog>
  );
}
