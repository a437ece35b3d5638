'use client';

import Link from 'next/link';
import type { WorkerTaskRef } from '@/lib/shared/types';
import { formatAge, formatClock } from '@/lib/client/time-format';
import { useWorkerTasks } from '@/lib/client/worker-control';

const taskLink = 'font-mono text-xs break-all text-sky-800 underline-offset-2 hover:underline dark:text-sky-300';

function TaskList({ label, tasks, testId, detail }: { label: string; tasks: WorkerTaskRef[]; testId: string; detail: (t: WorkerTaskRef) => string | null }) {
  return (
    <div data-testid={testId}>
      <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        {label} <span className="tabular-nums">({tasks.length})</span>
      </h4>
      {tasks.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">none</p>
      ) : (
        <ul className="mt-1 space-y-0.5">
          {tasks.slice(0, 20).map((t) => (
            <li key={t.id} className="flex flex-wrap items-baseline gap-x-2 text-xs" data-testid={`${testId}-task`}>
              <span className="font-medium">{t.task}</span>
              <Link href={`/tasks/${encodeURIComponent(t.id)}`} className={taskLink}>
                {t.id}
              </Link>
              <span className="tabular-nums text-slate-600 dark:text-slate-400">{detail(t) ?? ''}</span>
            </li>
          ))}
          {tasks.length > 20 ? <li className="text-xs text-slate-500">and {tasks.length - 20} more</li> : null}
        </ul>
      )}
    </div>
  );
}

/** A worker's running, reserved and scheduled tasks, live; runtimes count up with `now`. */
export function WorkerTasks({ id, now }: { id: string; now: number }) {
  const tasks = useWorkerTasks(id);
  if (tasks.isPending) return <p className="text-xs text-slate-500">Asking the worker what it runs…</p>;
  if (tasks.isError && !tasks.data) return <p className="text-xs text-red-700 dark:text-red-400">Cannot read its tasks: {tasks.error.message}</p>;
  const { data } = tasks;
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      {!data.answered ? <p className="text-xs text-amber-700 sm:col-span-3 dark:text-amber-400">The worker did not answer: these lists may be out of date.</p> : null}
      <TaskList label="Running" tasks={data.active} testId="worker-active-tasks" detail={(t) => (t.startedAt ? `running ${formatAge((now - Date.parse(t.startedAt)) / 1000)}` : null)} />
      <TaskList label="Reserved" tasks={data.reserved} testId="worker-reserved-tasks" detail={() => null} />
      <TaskList label="Scheduled" tasks={data.scheduled} testId="worker-scheduled-tasks" detail={(t) => (t.eta ? `at ${formatClock(t.eta, { seconds: true })}` : null)} />
    </div>
  );
}
