'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useQueryClient } from '@tanstack/react-query';
import { useMe } from '@/lib/client/me';
import { queryKeys } from '@/lib/client/query-keys';
import { TASK_PAGE_SIZE, taskFilterParams, taskFilterSearch, useTaskList, type TaskFilterParams } from '@/lib/client/task-explorer';
import { EXECUTION_STATES, FINAL_EXECUTION_STATES, type ExecutionState, type TaskListPage, type TaskSummary } from '@/lib/shared/task-summary';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { Button } from '../ui/button';
import { BulkRevokeBar, type BulkSelection } from './bulk-revoke';
import { StateStrip } from './state-strip';
import { TaskFilterBar } from './task-filter-bar';
import { TaskTable } from './task-table';

function selectedStates(filters: TaskFilterParams): ExecutionState[] {
  const given = (filters.state ?? '').split(',');
  return EXECUTION_STATES.filter((s) => given.includes(s));
}

/**
 * The task explorer: executions from Triage's workers and Celery's events, newest change
 * first, filtered by what is in the URL (so a copied link reopens the same rows). The first
 * page refreshes live; "Older" follows the cursor.
 */
export function TaskExplorer() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const client = useQueryClient();
  const filters = useMemo(() => taskFilterParams(new URLSearchParams(params.toString())), [params]);
  const list = useTaskList(filters);
  const states = selectedStates(filters);
  const { can } = useMe();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // "All matching" holds for the filter it was counted under: another filter drops it.
  const [matching, setMatching] = useState<{ search: string; count: number; capped: boolean } | null>(null);

  const apply = (next: TaskFilterParams) => {
    const search = taskFilterSearch(next);
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  };
  const toggleState = (state: ExecutionState) => {
    const next = states.includes(state) ? states.filter((s) => s !== state) : [...states, state];
    apply({ ...filters, state: EXECUTION_STATES.filter((s) => next.includes(s)).join(',') || undefined });
  };
  // Drops the older pages, so the first one refreshes live again.
  const backToNewest = () => {
    client.setQueryData<{ pages: TaskListPage[]; pageParams: (string | null)[] }>(queryKeys.taskList(filters), (data) =>
      data ? { pages: data.pages.slice(0, 1), pageParams: data.pageParams.slice(0, 1) } : data,
    );
    void list.refetch();
  };

  const pages = useMemo(() => list.data?.pages ?? [], [list.data]);
  const tasks = useMemo(() => {
    // A row that changed between two page reads could come back; show it once.
    const seen = new Set<string>();
    const out: TaskSummary[] = [];
    for (const task of pages.flatMap((page) => page.tasks)) {
      if (seen.has(task.id)) continue;
      seen.add(task.id);
      out.push(task);
    }
    return out;
  }, [pages]);
  const last = pages.at(-1);
  // A page the server cut short: its scan budget ran out before the page filled up.
  const cutShort = last !== undefined && last.nextCursor !== null && last.tasks.length < TASK_PAGE_SIZE;
  const filtered = Object.keys(filters).length > 0;
  const search = taskFilterSearch(filters);
  const matchingAll = matching !== null && matching.search === search;
  // Only rows still shown count: a filter change must not act on tasks out of sight.
  const selectedShown = tasks.filter((t) => selected.has(t.id)).map((t) => t.id);
  const bulk: BulkSelection = matchingAll ? { kind: 'matching', filter: filters as Record<string, string>, count: matching.count, capped: matching.capped } : { kind: 'ids', ids: selectedShown };
  const clear = () => {
    setSelected(new Set());
    setMatching(null);
  };
  // With all matching selected the rows it acts on show ticked (final ones are left alone);
  // unticking one goes back to ticked rows.
  const selection = can('operator')
    ? {
        selected: matchingAll ? new Set(tasks.filter((t) => !FINAL_EXECUTION_STATES.includes(t.state)).map((t) => t.id)) : selected,
        onChange: (next: ReadonlySet<string>) => {
          setMatching(null);
          setSelected(next);
        },
      }
    : undefined;

  return (
    <div className="space-y-4">
      <StateStrip counts={pages[0]?.counts ?? null} selected={states} onToggle={toggleState} />
      <TaskFilterBar filters={filters} onApply={apply} />
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
        {pages.length > 1 ? (
          <>
            <span data-testid="task-live">Live updates paused while older pages are shown.</span>
            <Button size="sm" onClick={backToNewest}>
              Back to newest
            </Button>
          </>
        ) : (
          <span data-testid="task-live">Newest first, refreshed every few seconds.</span>
        )}
        {/* With this view's filters but the states: the failures of what is shown here. */}
        <Link href={`/failures?${taskFilterSearch({ ...filters, state: undefined })}`} className="ml-auto text-sky-800 underline dark:text-sky-300" data-testid="task-failures-link">
          Failures at a glance
        </Link>
      </div>
      {list.isPending ? (
        <p className="text-slate-500">Loading tasks…</p>
      ) : list.isError && !list.data ? (
        <ErrorPanel title="Cannot list tasks" message={list.error.message} onRetry={() => void list.refetch()} />
      ) : tasks.length === 0 && !list.hasNextPage ? (
        <EmptyPanel>
          <span data-testid="task-empty">
            {filtered
              ? 'No task executions match these filters. Widen the time range or clear a filter.'
              : 'No task executions recorded yet. They appear here as soon as a Triage worker, or a Celery worker with events on (-E), runs a task.'}
          </span>
        </EmptyPanel>
      ) : (
        <>
          {selection && tasks.length > 0 ? (
            <BulkRevokeBar
              selection={bulk}
              filter={filtered ? (filters as Record<string, string>) : null}
              onSelectMatching={(count, capped) => setMatching({ search, count, capped })}
              onClear={clear}
              onDone={clear}
            />
          ) : null}
          {tasks.length > 0 ? <TaskTable tasks={tasks} selection={selection} /> : null}
          {cutShort ? (
            <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="task-scan-more">
              {tasks.length === 0 ? 'No match among the most recent executions yet.' : 'The search stopped before filling the page.'} Older executions may match.
            </p>
          ) : null}
          {list.hasNextPage ? (
            <Button disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} data-testid="task-older">
              {list.isFetchingNextPage ? 'Loading…' : cutShort ? 'Search older' : 'Older'}
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
