'use client';

import { useState } from 'react';
import { groupRows, runBulk, type BulkAction, type BulkProgress, type DeadRow, type GroupResult } from '@/lib/client/dead-letters';
import { formatCount } from '../format';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { PrioritySelect } from '../ui/priority-select';

type Phase = { kind: 'preview' } | { kind: 'running'; progress: BulkProgress } | { kind: 'done'; results: GroupResult[] };

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
 * Preview → progress → exact result for a retry or delete of selected dead letters, in the
 * kit's modal (Escape closes it, not while running). `onClose(changed)`: whether anything ran.
 */
export function BulkDialog({ action, rows, onClose }: { action: BulkAction; rows: DeadRow[]; onClose: (changed: boolean) => void }) {
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
  const footer =
    phase.kind === 'preview' ? (
      <>
        <Button onClick={() => onClose(false)}>Cancel</Button>
        <Button variant={action === 'delete' ? 'danger' : 'primary'} autoFocus onClick={() => void start()}>
          {verb} {formatCount(rows.length)}
        </Button>
      </>
    ) : (
      <Button disabled={running} onClick={() => onClose(true)}>
        Close
      </Button>
    );
  return (
    <Dialog
      title={`${verb} ${formatCount(rows.length)} dead ${rows.length === 1 ? 'letter' : 'letters'}`}
      testId="bulk-dialog"
      busy={running}
      onClose={() => onClose(phase.kind === 'done')}
      footer={footer}
    >
      <div className="space-y-3 text-sm">
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
              <label className="flex flex-wrap items-center gap-2" htmlFor="bulk-priority">
                Back to their queue at
                <PrioritySelect id="bulk-priority" value={priority} onChange={setPriority} keepLabel="each task's own priority" />
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
    </Dialog>
  );
}
