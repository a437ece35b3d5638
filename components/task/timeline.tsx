import type { TaskHistoryEntry } from '@/lib/shared/task-record';
import { STATE_CLASS, attemptDurations, formatDuration, formatInstant } from './task-format';

/**
 * The task's states in order (queued → active → succeeded / failed / retrying / dead), each
 * with its time, worker and error. `queuedAt` (the enqueue time the message carries) opens
 * it, since a worker can only record what happened from delivery on.
 */
export function Timeline({ history, queuedAt }: { history: readonly TaskHistoryEntry[]; queuedAt: string | null | undefined }) {
  const entries: TaskHistoryEntry[] = queuedAt ? [{ state: 'queued', at: queuedAt }, ...history] : [...history];
  const durations = attemptDurations(entries);
  return (
    <ol className="relative space-y-3 border-l-2 border-slate-200 pl-5 dark:border-slate-700" data-testid="task-timeline">
      {entries.map((entry, i) => (
        <li key={`${entry.at}-${i}`} className="relative" data-testid="timeline-entry">
          <span aria-hidden className="absolute top-1.5 -left-[27px] size-3 rounded-full border-2 border-white bg-slate-400 dark:border-slate-900" />
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
            <span data-testid="timeline-state" className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ${STATE_CLASS[entry.state]}`}>
              {entry.state}
            </span>
            <time dateTime={entry.at} className="font-mono text-sm tabular-nums">
              {formatInstant(entry.at)}
            </time>
            {entry.attempt ? <span className="text-sm text-slate-600 dark:text-slate-400">attempt {entry.attempt}</span> : null}
            {durations.has(i) ? <span className="text-sm text-slate-600 dark:text-slate-400">ran {formatDuration(durations.get(i)!)}</span> : null}
            {entry.worker ? (
              <span className="text-sm text-slate-600 dark:text-slate-400">
                on <span className="font-mono">{entry.worker}</span>
              </span>
            ) : null}
          </div>
          {entry.error ? <p className="mt-1 font-mono text-sm break-words text-red-700 dark:text-red-400">{entry.error}</p> : null}
          {entry.eta ? <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">next attempt at {formatInstant(entry.eta)}</p> : null}
        </li>
      ))}
    </ol>
  );
}
