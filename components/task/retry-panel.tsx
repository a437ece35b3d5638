'use client';

import { useState } from 'react';
import { useRetryTask } from '@/lib/client/tasks';
import type { TaskState } from '@/lib/shared/task-record';
import { priorityLabel } from '@/lib/shared/priority-label';
import { Button } from '../ui/button';
import { Panel } from '../ui/panel';
import { PrioritySelect } from '../ui/priority-select';

const RETRYABLE: readonly TaskState[] = ['dead', 'failed'];

/** Sends a dead-lettered task back to its queue, at its own priority or a new one (operators). */
export function RetryPanel({ id, state }: { id: string; state: TaskState }) {
  const [priority, setPriority] = useState<number | null>(null);
  const retry = useRetryTask(id);
  const retryable = RETRYABLE.includes(state);
  return (
    <Panel
      title="Retry"
      description={
        retryable
          ? 'Takes the task out of its dead-letter queue and enqueues it again with its retry count reset.'
          : `Only a failed or dead-lettered task can be retried; this one is ${state}.`
      }
    >
      <form
        className="flex flex-wrap items-center gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          retry.mutate(priority ?? undefined);
        }}
      >
        <label htmlFor="retry-priority" className="text-sm font-medium">
          Priority
        </label>
        <PrioritySelect id="retry-priority" value={priority} onChange={setPriority} keepLabel="keep its priority" />
        <Button type="submit" variant="primary" disabled={!retryable || retry.isPending} data-testid="retry-submit">
          {retry.isPending ? 'Retrying…' : 'Retry'}
        </Button>
      </form>
      {retry.isSuccess ? (
        <p role="status" data-testid="retry-result" className="text-sm text-emerald-800 dark:text-emerald-300">
          Sent back to{' '}
          <span className="font-mono">
            {retry.data.broker}/{retry.data.queue.replace(/\.dead$/, '')}
          </span>
          {retry.variables === undefined ? ' at its own priority' : ` at priority ${priorityLabel(retry.variables)}`}.
        </p>
      ) : null}
      {retry.isError ? (
        <p role="alert" data-testid="retry-error" className="text-sm break-words text-red-700 dark:text-red-400">
          {retry.error.message}
        </p>
      ) : null}
    </Panel>
  );
}
