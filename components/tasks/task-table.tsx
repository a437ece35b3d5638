'use client';

import Link from 'next/link';
import type { TaskSummary } from '@/lib/shared/task-summary';
import { UNKNOWN } from '../format';
import { PRIORITY_BADGE, priorityBg } from '../priority-colors';
import { formatDuration } from '../task/task-format';
import { Timestamp } from '../time';
import { StateBadge } from './state-badge';

const head = 'px-2 py-2 text-left text-xs font-semibold uppercase tracking-wide whitespace-nowrap text-slate-500 dark:text-slate-400';
const cell = 'px-2 py-2 align-top';
const ID_CHARS = 8;

function Moment({ label, at }: { label: string; at: string | null }) {
  return (
    <div className="flex gap-1.5 whitespace-nowrap">
      <span className="w-14 text-slate-500 dark:text-slate-400">{label}</span>
      {at ? <Timestamp at={at} /> : <span>{UNKNOWN}</span>}
    </div>
  );
}

function Duration({ ms, testId }: { ms: number | null; testId: string }) {
  return (
    <td className={`${cell} tabular-nums whitespace-nowrap`} data-testid={testId}>
      {ms === null ? UNKNOWN : formatDuration(ms)}
    </td>
  );
}

function Priority({ priority }: { priority: number | null }) {
  if (priority === null) return <span title="unknown: Celery's events carry no priority">{UNKNOWN}</span>;
  return <span className={`${PRIORITY_BADGE} ${priorityBg(priority)}`}>P{priority}</span>;
}

/** Rows an operator picked for a bulk action; absent, the table has no checkboxes. */
export interface TaskSelection {
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
}

function Row({ task, selection }: { task: TaskSummary; selection?: TaskSelection }) {
  return (
    <tr className="border-t border-slate-100 dark:border-slate-800" data-testid="task-row" data-task-id={task.id}>
      {selection ? (
        <td className={cell}>
          <input
            type="checkbox"
            aria-label={`Select ${task.task || 'task'} ${task.id}`}
            data-testid="task-row-select"
            checked={selection.selected.has(task.id)}
            onChange={(e) => {
              const next = new Set(selection.selected);
              if (e.target.checked) next.add(task.id);
              else next.delete(task.id);
              selection.onChange(next);
            }}
          />
        </td>
      ) : null}
      <td className={`${cell} font-mono`}>
        <Link href={`/tasks/${encodeURIComponent(task.id)}`} title={task.id} className="text-sky-800 underline dark:text-sky-300" data-testid="task-row-id">
          {task.id.length > ID_CHARS ? `${task.id.slice(0, ID_CHARS)}…` : task.id}
        </Link>
      </td>
      <td className={`${cell} min-w-40 font-mono [overflow-wrap:anywhere]`} data-testid="task-row-name">
        {task.task || UNKNOWN}
      </td>
      <td className={cell}>
        <StateBadge state={task.state} />
        {task.eta ? (
          <div className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            due <Timestamp at={task.eta} />
          </div>
        ) : null}
      </td>
      <td className={`${cell} min-w-24 font-mono [overflow-wrap:anywhere]`} data-testid="task-row-queue">
        {task.queue || UNKNOWN}
      </td>
      <td className={cell} data-testid="task-row-broker">
        {task.broker}
      </td>
      <td className={cell} data-testid="task-row-priority">
        <Priority priority={task.priority} />
      </td>
      <td className={`${cell} min-w-24 font-mono text-xs [overflow-wrap:anywhere]`}>{task.worker ?? UNKNOWN}</td>
      <td className={`${cell} text-xs`}>
        <Moment label="received" at={task.receivedAt} />
        <Moment label="started" at={task.startedAt} />
        <Moment label="finished" at={task.finishedAt} />
      </td>
      <Duration ms={task.waitMs} testId="task-row-wait" />
      <Duration ms={task.runtimeMs} testId="task-row-runtime" />
      <td className={`${cell} tabular-nums`} data-testid="task-row-retries">
        {task.retries}
      </td>
      <td className={`${cell} max-w-72 text-xs text-red-800 dark:text-red-300`} data-testid="task-row-error">
        {task.error ? (
          <span className="line-clamp-2 break-words" title={task.error}>
            {task.error}
          </span>
        ) : null}
      </td>
    </tr>
  );
}

/** The explorer's rows, newest change first; the id opens the task page. */
export function TaskTable({ tasks, selection }: { tasks: readonly TaskSummary[]; selection?: TaskSelection }) {
  const allSelected = tasks.length > 0 && tasks.every((t) => selection?.selected.has(t.id));
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full text-sm" data-testid="task-table">
        <thead className="bg-slate-50 dark:bg-slate-900/60">
          <tr>
            {selection ? (
              <th scope="col" className={head}>
                <input
                  type="checkbox"
                  aria-label="Select every task shown"
                  data-testid="task-select-all"
                  checked={allSelected}
                  onChange={() => selection.onChange(allSelected ? new Set() : new Set(tasks.map((t) => t.id)))}
                />
              </th>
            ) : null}
            <th scope="col" className={head}>Id</th>
            <th scope="col" className={head}>Task</th>
            <th scope="col" className={head}>State</th>
            <th scope="col" className={head}>Queue</th>
            <th scope="col" className={head}>Broker</th>
            <th scope="col" className={head} title="the task's own priority">Priority</th>
            <th scope="col" className={head}>Worker</th>
            <th scope="col" className={head}>Received / started / finished</th>
            <th scope="col" className={head} title="enqueued → first started">Wait</th>
            <th scope="col" className={head} title="the last attempt">Runtime</th>
            <th scope="col" className={head}>Retries</th>
            <th scope="col" className={head}>Error</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <Row key={task.id} task={task} selection={selection} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
