'use client';

import { useQueryClient } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { DEAD_PAGE_LIMIT, useDeadLetters, type BulkAction, type DeadRow } from '@/lib/client/dead-letters';
import { queryKeys } from '@/lib/client/query-keys';
import { useNow } from '@/lib/client/use-now';
import { useLiveEvents, useLiveQueues } from '@/lib/client/use-live-events';
import { formatCount } from '../format';
import { RoleGate } from '../role-gate';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { BulkDialog } from './bulk-dialog';
import { DeadLetterRow, rowKey } from './dead-letter-row';
import { Button } from '../ui/button';
import { Select } from '../ui/select';

const head = 'px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';

/** Dead-lettered tasks of every `<queue>.dead` on every broker; `?queue=broker/name` narrows to one. */
export function DeadLettersView() {
  const stream = useLiveEvents();
  const queues = useLiveQueues(stream);
  const groups = useDeadLetters(queues.data?.queues ?? []);
  const now = useNow();
  const client = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filter = params.get('queue') ?? '';
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<{ action: BulkAction; rows: DeadRow[] } | null>(null);

  const visibleGroups = groups.filter(({ queue }) => !filter || `${queue.broker}/${queue.name}` === filter);
  const rows = visibleGroups.flatMap(({ queue, result }) =>
    (result.data?.messages ?? []).map((message): DeadRow => ({ broker: queue.broker, queue: queue.name, message })),
  );
  const chosen = rows.filter((row) => selected.has(rowKey(row)));

  if (queues.isPending) return <p className="text-slate-500">Loading dead-letter queues…</p>;
  if (queues.isError && !queues.data) {
    return <ErrorPanel title="Cannot list queues" message={queues.error.message} onRetry={() => void queues.refetch()} />;
  }
  const failed = groups.filter(({ result }) => result.isError);
  const loading = visibleGroups.some(({ result }) => result.isPending);
  const truncated = visibleGroups.filter(({ queue, result }) => result.data && queue.depth > result.data.messages.length);

  const setFilter = (value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set('queue', value);
    else next.delete('queue');
    setSelected(new Set());
    router.replace(`${pathname}${next.size ? `?${next.toString()}` : ''}`);
  };
  const toggle = (key: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  const allChosen = rows.length > 0 && chosen.length === rows.length;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex items-center gap-2 text-sm" htmlFor="dead-queue-filter">
          Queue
          <Select id="dead-queue-filter" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-auto max-w-full">
            <option value="">all dead-letter queues ({groups.length})</option>
            {groups.map(({ queue }) => (
              <option key={`${queue.broker}/${queue.name}`} value={`${queue.broker}/${queue.name}`}>
                {queue.broker}/{queue.name} ({formatCount(queue.depth)})
              </option>
            ))}
          </Select>
        </label>
        <span className="text-sm text-slate-600 dark:text-slate-400" data-testid="dead-count">
          {formatCount(visibleGroups.reduce((n, g) => n + g.queue.depth, 0))} dead-lettered
        </span>
        <RoleGate role="operator">
          <div className="ml-auto flex flex-wrap items-center gap-2" data-testid="dead-bulk-bar">
            <span className="text-sm">{formatCount(chosen.length)} selected</span>
            <Button variant="primary" disabled={chosen.length === 0} onClick={() => setDialog({ action: 'retry', rows: chosen })}>
              Retry selected
            </Button>
            <Button variant="dangerOutline" disabled={chosen.length === 0} onClick={() => setDialog({ action: 'delete', rows: chosen })}>
              Delete selected
            </Button>
          </div>
        </RoleGate>
      </div>
      {failed.map(({ queue, result }) => (
        <ErrorPanel
          key={`${queue.broker}/${queue.name}`}
          title={`Cannot read ${queue.broker}/${queue.name}`}
          message={result.error?.message ?? 'unknown error'}
          onRetry={() => void result.refetch()}
        />
      ))}
      {truncated.map(({ queue }) => (
        <p key={`${queue.broker}/${queue.name}`} className="text-sm text-amber-800 dark:text-amber-300">
          {queue.broker}/{queue.name} holds {formatCount(queue.depth)}; the first {formatCount(DEAD_PAGE_LIMIT)} are listed.
        </p>
      ))}
      {rows.length === 0 ? (
        loading ? (
          <p className="text-slate-500">Loading dead letters…</p>
        ) : (
          <EmptyPanel>No dead letters{filter ? ` in ${filter}` : ''}. Tasks land here when they fail after their last retry.</EmptyPanel>
        )
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-left text-sm" data-testid="dead-table">
            <thead className="bg-slate-50 dark:bg-slate-900/60">
              <tr>
                <RoleGate role="operator">
                  <th scope="col" className={head}>
                    <input
                      type="checkbox"
                      checked={allChosen}
                      onChange={() => setSelected(allChosen ? new Set() : new Set(rows.map(rowKey)))}
                      aria-label={`select all ${rows.length} shown`}
                      className="size-4"
                    />
                  </th>
                </RoleGate>
                <th scope="col" className={head}>Task</th>
                <th scope="col" className={head}>Error</th>
                <th scope="col" className={`${head} text-right`}>Retries</th>
                <th scope="col" className={head}>From</th>
                <th scope="col" className={head}>Dead since</th>
                <RoleGate role="operator">
                  <th scope="col" className={head}>
                    <span className="sr-only">Actions</span>
                  </th>
                </RoleGate>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <DeadLetterRow
                  key={rowKey(row)}
                  row={row}
                  now={now}
                  selected={selected.has(rowKey(row))}
                  onToggle={() => toggle(rowKey(row))}
                  onAction={(action) => setDialog({ action, rows: [row] })}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dialog ? (
        <BulkDialog
          action={dialog.action}
          rows={dialog.rows}
          onClose={(changed) => {
            setDialog(null);
            if (changed) {
              setSelected(new Set());
              void client.invalidateQueries({ queryKey: queryKeys.queues() });
              void client.invalidateQueries({ queryKey: queryKeys.deadLetters() });
            }
          }}
        />
      ) : null}
    </div>
  );
}
