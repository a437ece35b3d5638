'use client';

import { useState } from 'react';
import { useRevokeTask, type RevokeRequest } from '@/lib/client/tasks';
import type { RevokeResult } from '@/lib/shared/revoke';
import { FINAL_TASK_STATES, type TaskState } from '@/lib/shared/task-record';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';

/**
 * Revoke (the task will not run, or not again) and terminate (a running one is stopped),
 * each behind a confirmation that says what will happen; the answer shows what it did.
 * Operators only (the page wraps it in a RoleGate; the server checks again).
 */
export function RevokePanel({ id, state }: { id: string; state: TaskState }) {
  const [asking, setAsking] = useState<RevokeRequest | null>(null);
  const revoke = useRevokeTask(id);
  const final = FINAL_TASK_STATES.includes(state);
  return (
    <section aria-labelledby="revoke-title" className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <h2 id="revoke-title" className="font-semibold">
        Revoke
      </h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        {final
          ? `This task is ${state}: there is nothing left to revoke.`
          : 'Revoke: no worker runs it (a waiting copy is taken out of its queue and kept for undo). Terminate: a running task is stopped too.'}
      </p>
      <div className="mt-3 flex flex-wrap gap-3">
        <Button variant="dangerOutline" disabled={final || revoke.isPending} onClick={() => setAsking({ terminate: false })} data-testid="revoke-open">
          Revoke
        </Button>
        <Button variant="danger" disabled={final || revoke.isPending} onClick={() => setAsking({ terminate: true })} data-testid="terminate-open">
          Terminate
        </Button>
      </div>
      {asking ? (
        <Dialog
          title={asking.terminate ? 'Terminate this task?' : 'Revoke this task?'}
          testId="revoke-dialog"
          busy={revoke.isPending}
          onClose={() => setAsking(null)}
          footer={
            <>
              <Button onClick={() => setAsking(null)} disabled={revoke.isPending}>
                Cancel
              </Button>
              <Button
                variant="danger"
                disabled={revoke.isPending}
                data-testid="revoke-confirm"
                onClick={() => revoke.mutate(asking, { onSettled: () => setAsking(null) })}
              >
                {revoke.isPending ? 'Sending…' : asking.terminate ? 'Terminate' : 'Revoke'}
              </Button>
            </>
          }
        >
          <p className="text-sm">
            {asking.terminate
              ? 'If it is running, its worker stops it (Triage workers abort it and free the slot within a second; Celery workers kill it with SIGTERM). Either way it will not run again.'
              : 'Workers will not start it. If it runs now, it finishes; use Terminate to stop it.'}
          </p>
          <p className="font-mono text-xs break-all text-slate-600 dark:text-slate-400">{id}</p>
        </Dialog>
      ) : null}
      {revoke.isSuccess ? (
        <p role="status" data-testid="revoke-result" className="mt-3 text-sm text-emerald-800 dark:text-emerald-300">
          {describeResult(revoke.data)}
        </p>
      ) : null}
      {revoke.isError ? (
        <p role="alert" data-testid="revoke-error" className="mt-3 text-sm break-words text-red-700 dark:text-red-400">
          {revoke.error.message}
        </p>
      ) : null}
    </section>
  );
}

function describeResult(result: RevokeResult): string {
  const parts = [result.revoked > 0 ? 'Revoked' : 'Already final: nothing revoked'];
  if (result.terminated > 0) parts.push('terminated while running');
  const archived = result.archives.reduce((n, a) => n + a.count, 0);
  if (archived > 0) parts.push(`taken out of ${result.archives.map((a) => `${a.broker}/${a.queue}`).join(', ')} (restorable from the queue page)`);
  return `${parts.join('; ')}.`;
}
