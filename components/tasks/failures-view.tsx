'use client';

import Link from 'next/link';
import { useId, useMemo, useState } from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { taskFilterParams, taskFilterSearch, useFailureGroups, useRetryTasks, type TaskFilterParams } from '@/lib/client/task-explorer';
import { priorityLabel } from '@/lib/shared/priority-label';
import type { FailureGroup } from '@/lib/shared/task-failures';
import { formatCount } from '../format';
import { RoleGate } from '../role-gate';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { Timestamp } from '../time';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { PrioritySelect } from '../ui/priority-select';
import { Select } from '../ui/select';
import { TimeRangeOptions } from './time-ranges';

const head = 'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide whitespace-nowrap text-slate-500 dark:text-slate-400';
const cell = 'px-3 py-2 align-top';
const DEFAULT_RANGE = '1h';
const groupKey = (g: FailureGroup) => `${g.task}\u0000${g.error ?? ''}`;

/** The explorer's rows of one group: its task and states in the same range (the error is not a filter). */
function explorerHref(group: FailureGroup, since: string): string {
  return `/tasks?${taskFilterSearch({ state: 'failed,dead', task: group.task, since })}`;
}

/**
 * Failures at a glance: failed and dead executions of a time range grouped by task name and
 * error, with counts and first/last seen; operators select groups and retry their tasks at
 * their own priority or a chosen one.
 */
export function FailuresView() {
  const id = useId();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo<TaskFilterParams>(() => {
    const given = taskFilterParams(new URLSearchParams(params.toString()));
    return { ...given, since: given.since ?? DEFAULT_RANGE };
  }, [params]);
  const failures = useFailureGroups(filters);
  // The explorer's filters this view was opened with, besides the range it shows itself.
  const narrowed = Object.entries(filters).filter(([key]) => key !== 'since' && key !== 'until' && key !== 'state');
  const retry = useRetryTasks();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [priority, setPriority] = useState<number | null>(null);
  const groups = failures.data?.groups ?? [];
  const chosen = groups.filter((g) => selected.has(groupKey(g)));
  // Celery failures whose message nobody kept cannot be sent again: they stay out of the retry.
  const ids = chosen.flatMap(retryableIds);
  const setRange = (since: string) => {
    setSelected(new Set());
    router.replace(`${pathname}?${taskFilterSearch({ ...filters, since })}`, { scroll: false });
  };
  const toggle = (group: FailureGroup) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(groupKey(group))) next.delete(groupKey(group));
      else next.add(groupKey(group));
      return next;
    });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4">
        <Field id={`${id}-range`} label="Failed within">
          <Select id={`${id}-range`} className="w-48" value={filters.since} onChange={(e) => setRange(e.target.value)}>
            <TimeRangeOptions current={filters.since ?? ''} />
          </Select>
        </Field>
        <Link href={`/tasks?${taskFilterSearch({ ...filters, state: 'failed,dead' })}`} className="py-1.5 text-sm text-sky-800 underline dark:text-sky-300">
          These failed and dead tasks in the explorer
        </Link>
        {narrowed.length > 0 ? (
          <p className="py-1.5 text-sm text-slate-600 dark:text-slate-400" data-testid="failures-narrowed">
            Only {narrowed.map(([key, value]) => `${key} ${value}`).join(' · ')} ·{' '}
            <Link href={`${pathname}?${taskFilterSearch({ since: filters.since })}`} className="text-sky-800 underline dark:text-sky-300">
              all
            </Link>
          </p>
        ) : null}
      </div>
      {failures.isPending ? (
        <p className="text-slate-500">Loading failures…</p>
      ) : failures.isError && !failures.data ? (
        <ErrorPanel title="Cannot read the failures" message={failures.error.message} onRetry={() => void failures.refetch()} />
      ) : groups.length === 0 ? (
        <EmptyPanel>
          <span data-testid="failures-empty">No failed or dead tasks in this range. Widen it to look further back.</span>
        </EmptyPanel>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table className="w-full text-sm" data-testid="failure-groups">
              <thead className="bg-slate-50 dark:bg-slate-900/60">
                <tr>
                  <th scope="col" className={head}>
                    <span className="sr-only">Select</span>
                  </th>
                  <th scope="col" className={head}>Task</th>
                  <th scope="col" className={head}>Error</th>
                  <th scope="col" className={head}>Count</th>
                  <th scope="col" className={head}>First seen</th>
                  <th scope="col" className={head}>Last seen</th>
                </tr>
              </thead>
              <tbody>
                {groups.map((group) => (
                  <tr key={groupKey(group)} className="border-t border-slate-100 dark:border-slate-800" data-testid="failure-group">
                    <td className={cell}>
                      <input
                        type="checkbox"
                        aria-label={`select ${group.task}: ${group.error ?? 'no error'}`}
                        checked={selected.has(groupKey(group))}
                        disabled={retryableIds(group).length === 0}
                        title={retryableIds(group).length === 0 ? 'none of these can be retried (see why under the error)' : undefined}
                        onChange={() => toggle(group)}
                        data-testid="failure-group-select"
                      />
                    </td>
                    <td className={`${cell} min-w-48 font-mono [overflow-wrap:anywhere]`} data-testid="failure-group-task">
                      <Link href={explorerHref(group, filters.since ?? DEFAULT_RANGE)} className="text-sky-800 underline dark:text-sky-300">
                        {group.task || '—'}
                      </Link>
                    </td>
                    <td className={`${cell} min-w-48 break-words text-red-800 dark:text-red-300`} data-testid="failure-group-error">
                      {group.error ?? '—'}
                      {group.notRetryable?.map((entry) => (
                        <span key={entry.reason} className="mt-1 block text-xs text-slate-600 dark:text-slate-400" data-testid="failure-group-not-retryable">
                          {formatCount(entry.ids.length)} cannot be retried: {entry.reason}
                        </span>
                      ))}
                    </td>
                    <td className={`${cell} tabular-nums whitespace-nowrap`}>
                      <span className="font-semibold" data-testid="failure-group-count">
                        {formatCount(group.count)}
                      </span>
                      <span className="block text-xs text-slate-600 dark:text-slate-400">
                        {group.dead > 0 ? `${formatCount(group.dead)} dead` : ''}
                        {group.dead > 0 && group.failed > 0 ? ' · ' : ''}
                        {group.failed > 0 ? `${formatCount(group.failed)} failed` : ''}
                      </span>
                    </td>
                    <td className={`${cell} whitespace-nowrap text-xs`}>
                      <Timestamp at={group.firstSeen} />
                    </td>
                    <td className={`${cell} whitespace-nowrap text-xs`}>
                      <Timestamp at={group.lastSeen} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {failures.data && !failures.data.complete ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">Grouped from the {formatCount(failures.data.scanned)} most recent failures; older ones in this range are not counted.</p>
          ) : null}
          <RoleGate role="operator">
            <section aria-label="Retry" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900">
              <Field id={`${id}-priority`} label="Retry at">
                <PrioritySelect id={`${id}-priority`} value={priority} onChange={setPriority} keepLabel="each task's own priority" />
              </Field>
              <Button
                variant="primary"
                disabled={ids.length === 0 || retry.isPending}
                onClick={() => retry.mutate({ ids, priority }, { onSuccess: () => setSelected(new Set()) })}
                data-testid="failures-retry"
              >
                {retry.isPending ? 'Retrying…' : `Retry ${formatCount(ids.length)} task${ids.length === 1 ? '' : 's'}`}
              </Button>
              <p aria-live="polite" className="text-sm" data-testid="failures-retry-result">
                {retry.isError ? <span className="text-red-700 dark:text-red-400">{retry.error.message}</span> : null}
                {retry.data
                  ? `Retried ${formatCount(retry.data.retried)} of ${formatCount(retry.data.matched)}${retry.variables?.priority != null ? ` at priority ${priorityLabel(retry.variables.priority)}` : ''}.` +
                    (retry.data.failed.length > 0 ? ` Not retried: ${retry.data.failed.slice(0, 3).map((f) => `${f.id.slice(0, 8)} (${f.message})`).join('; ')}${retry.data.failed.length > 3 ? '…' : ''}` : '')
                  : null}
              </p>
            </section>
          </RoleGate>
        </>
      )}
    </div>
  );
}

/** The group's executions a retry can send again. */
function retryableIds(group: FailureGroup): string[] {
  const kept = new Set(group.notRetryable?.flatMap((entry) => entry.ids) ?? []);
  return kept.size === 0 ? group.ids : group.ids.filter((taskId) => !kept.has(taskId));
}
