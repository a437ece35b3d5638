'use client';

import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import type { WorkerTaskRef } from '@/lib/shared/types';
import { formatAge, formatClock } from '@/lib/client/time-format';
import { useRevokeTask } from '@/lib/client/tasks';
import { useWorkerTasks } from '@/lib/client/worker-control';
import { RevokeConfirmDialog, RevokeOutcome } from '../task/revoke-confirm';
import { Button } from '../ui/button';

const taskLink = 'font-mono text-xs break-all text-sky-800 underline-offset-2 hover:underline dark:text-sky-300';

function TaskList({
  label,
  tasks,
  testId,
  detail,
  action,
}: {
  label: string;
  tasks: WorkerTaskRef[];
  testId: string;
  detail: (t: WorkerTaskRef) => string | null;
  action?: (t: WorkerTaskRef) => ReactNode;
}) {
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
              {action?.(t)}
            </li>
          ))}
          {tasks.length > 20 ? <li className="text-xs text-slate-500">and {tasks.length - 20} more</li> : null}
        </ul>
      )}
    </div>
  );
}

/**
 * Terminating one running task: the confirmation, then what was done. The answer stays after
 * the task leaves the running list, until another is terminated; a cancel leaves nothing.
 */
function TerminateTask({ task }: { task: WorkerTaskRef }) {
  const revoke = useRevokeTask(task.id);
  const [asking, setAsking] = useState(true);
  return (
    <>
      {asking ? (
        <RevokeConfirmDialog id={task.id} asking={{ terminate: true }} revoke={revoke} onClose={() => setAsking(false)}>
          <p className="text-sm font-medium">{task.task}</p>
        </RevokeConfirmDialog>
      ) : null}
      <RevokeOutcome revoke={revoke} prefix={`${task.task} ${task.id}: `} className="sm:col-span-3" />
    </>
  );
}

/**
 * A worker's running, reserved and scheduled tasks, live; runtimes count up with `now`.
 * Operators (`canTerminate`) can terminate a running task from here.
 */
export function WorkerTasks({ id, now, canTerminate = false }: { id: string; now: number; canTerminate?: boolean }) {
  const tasks = useWorkerTasks(id);
  // Each press opens a fresh confirmation, even for the task asked about (and cancelled) last.
  const [terminating, setTerminating] = useState<{ task: WorkerTaskRef; press: number } | null>(null);
  if (tasks.isPending) return <p className="text-xs text-slate-500">Asking the worker what it runs…</p>;
  if (tasks.isError && !tasks.data) return <p className="text-xs text-red-700 dark:text-red-400">Cannot read its tasks: {tasks.error.message}</p>;
  const { data } = tasks;
  const terminateButton = (t: WorkerTaskRef) => (
    <Button size="sm" variant="dangerOutline" className="self-center" onClick={() => setTerminating((last) => ({ task: t, press: (last?.press ?? 0) + 1 }))} data-testid="worker-task-terminate" aria-label={`Terminate ${t.task} ${t.id}`}>
      Terminate
    </Button>
  );
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      {!data.answered ? <p className="text-xs text-amber-700 sm:col-span-3 dark:text-amber-400">The worker did not answer: these lists may be out of date.</p> : null}
      <TaskList
        label="Running"
        tasks={data.active}
        testId="worker-active-tasks"
        detail={(t) => (t.startedAt ? `running ${formatAge((now - Date.parse(t.startedAt)) / 1000)}` : null)}
        action={canTerminate ? terminateButton : undefined}
      />
      <TaskList label="Reserved" tasks={data.reserved} testId="worker-reserved-tasks" detail={() => null} />
      <TaskList label="Scheduled" tasks={data.scheduled} testId="worker-scheduled-tasks" detail={(t) => (t.eta ? `at ${formatClock(t.eta, { seconds: true })}` : null)} />
      {terminating ? <TerminateTask key={terminating.press} task={terminating.task} /> : null}
    </div>
  );
}
