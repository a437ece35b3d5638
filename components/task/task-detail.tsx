'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import { isApiError } from '@/lib/client/api';
import { useTask } from '@/lib/client/tasks';
import { FINAL_TASK_STATES, type TaskRecord } from '@/lib/shared/task-record';
import { storedWithLabel } from '@/components/levels';
import { priorityBg } from '@/components/priority-colors';
import { priorityLabel } from '@/lib/shared/priority-label';
import { RoleGate } from '@/components/role-gate';
import { EmptyPanel, ErrorPanel } from '@/components/state-panels';
import { RetryPanel } from './retry-panel';
import { RevokePanel } from './revoke-panel';
import { STATE_CLASS, attemptDurations, formatDuration, formatInstant, prettyJson } from './task-format';
import { Timeline } from './timeline';
import { Panel } from '../ui/panel';


/** The task page: envelope, arguments, timeline, outcome and retry; refreshed while the task can still change. */
export function TaskDetail({ id }: { id: string }) {
  const { data: task, error, isPending, refetch } = useTask(id);
  if (isPending) {
    return <p className="text-slate-600 dark:text-slate-400">Loading task {id}…</p>;
  }
  if (error) {
    if (isApiError(error) && error.status === 404) {
      return (
        <div data-testid="task-not-found">
          <EmptyPanel>
            <p className="font-semibold text-slate-900 dark:text-slate-100">No task with id “{id}” is known.</p>
            <p className="mt-2 text-sm">
              No worker has picked it up yet, or its record expired (task records are kept 7 days). If it was just enqueued, this page
              shows it as soon as a worker takes it.
            </p>
            <Link
              href={`/search?q=${encodeURIComponent(id)}`}
              className="mt-3 mr-4 inline-block text-sm font-medium text-sky-700 underline dark:text-sky-400"
              data-testid="task-not-found-search"
            >
              Look for it in the queues
            </Link>
            <Link href="/" className="mt-3 inline-block text-sm font-medium text-sky-700 underline dark:text-sky-400">
              Back to the overview
            </Link>
          </EmptyPanel>
        </div>
      );
    }
    return <ErrorPanel title="Could not load this task" message={error.message} onRetry={() => void refetch()} />;
  }
  return <TaskView task={task} />;
}

function TaskView({ task }: { task: TaskRecord }) {
  const live = !FINAL_TASK_STATES.includes(task.state);
  const durations = [...attemptDurations(task.history).values()];
  const lastRuntime = durations.at(-1);
  const lastWorker = task.history.findLast((h) => h.worker)?.worker;
  const storedWith = task.storedWith ? storedWithLabel(task.priority, task.storedWith) : null;
  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold tracking-tight break-all">{task.task}</h1>
        <span data-testid="task-state" className={`rounded px-2 py-0.5 text-sm font-semibold uppercase ${STATE_CLASS[task.state]}`}>
          {task.state}
        </span>
        {live ? <span className="text-sm text-slate-600 dark:text-slate-400">updating live…</span> : null}
      </div>

      <Panel title="Envelope">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          <Row label="Id">
            <span className="font-mono break-all" data-testid="task-id">
              {task.id}
            </span>
          </Row>
          <Row label="Task">
            <span className="font-mono break-all">{task.task}</span>
          </Row>
          <Row label="Queue">
            <Link
              href={`/queues/${encodeURIComponent(task.broker)}/${encodeURIComponent(task.queue)}`}
              className="font-mono break-all text-sky-700 underline dark:text-sky-400"
            >
              {task.broker}/{task.queue}
            </Link>
          </Row>
          <Row label="Priority">
            <span className="inline-flex items-center gap-2" data-testid="task-priority">
              <span aria-hidden className={`size-3 rounded-sm ${priorityBg(task.priority)}`} />
              {priorityLabel(task.priority)}
              {storedWith ? (
                <>{' '}<span className="text-slate-600 dark:text-slate-300">· stored with {storedWith}</span></>
              ) : null}
            </span>
          </Row>
          <Row label="Retries">{task.retries ?? 0}</Row>
          <Row label="ETA">{task.eta ? formatInstant(task.eta) : 'none (run as soon as possible)'}</Row>
          <Row label="Origin">
            <span className="font-mono break-all">{task.origin ?? '—'}</span>
          </Row>
          <Row label="Enqueued">{formatInstant(task.enqueuedAt)}</Row>
          <Row label="Worker">
            <span className="font-mono break-all">{lastWorker ?? '—'}</span>
          </Row>
          <Row label="Runtime">
            <span data-testid="task-runtime">
              {lastRuntime === undefined ? '—' : formatDuration(lastRuntime)}
              {durations.length > 1 ? ` (last of ${durations.length} attempts)` : ''}
            </span>
          </Row>
          <Row label="Updated">{formatInstant(task.updatedAt)}</Row>
        </dl>
      </Panel>

      <div className="grid gap-5 lg:grid-cols-2">
        <Panel title="Args">
          <JsonText value={task.args} testId="task-args" />
          <h2 className="pt-1 font-semibold">Kwargs</h2>
          <JsonText value={task.kwargs} testId="task-kwargs" />
        </Panel>
        <Panel title="Timeline">
          <Timeline history={task.history} queuedAt={task.enqueuedAt} />
        </Panel>
      </div>

      <Outcome task={task} />

      <RoleGate role="operator">
        <RevokePanel id={task.id} state={task.state} />
        <RetryPanel id={task.id} state={task.state} />
      </RoleGate>
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </>
  );
}

/** Untrusted data from a producer: rendered as text in a <pre>, never as markup. */
function JsonText({ value, testId }: { value: unknown; testId?: string }) {
  return (
    <pre
      data-testid={testId}
      className="max-h-80 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-sm whitespace-pre-wrap break-words dark:bg-slate-950"
    >
      {value === undefined ? 'not recorded' : prettyJson(value)}
    </pre>
  );
}

function Outcome({ task }: { task: TaskRecord }) {
  if (task.state === 'succeeded') {
    return (
      <Panel title="Result">
        <JsonText value={task.result ?? null} testId="task-result" />
      </Panel>
    );
  }
  if (!task.error && !task.traceback) return null;
  return (
    <Panel title="Error" titleClassName="text-red-800 dark:text-red-300">
      {task.error ? (
        <p data-testid="task-error" className="font-mono text-sm break-words text-red-700 dark:text-red-400">
          {task.error}
        </p>
      ) : null}
      {task.traceback ? (
        <>
          <h3 className="mt-3 mb-1 text-sm font-medium">Traceback</h3>
          <pre
            data-testid="task-traceback"
            className="max-h-96 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs whitespace-pre dark:bg-slate-950"
          >
            {task.traceback}
          </pre>
        </>
      ) : null}
    </Panel>
  );
}
