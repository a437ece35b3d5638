'use client';

import { useState } from 'react';
import { useRevokeTasks } from '@/lib/client/tasks';
import type { RevokeResult } from '@/lib/shared/revoke';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { RevokeConfirmFooter } from '../task/revoke-confirm';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeBulkResult(result: RevokeResult, asked: number): string {
  const parts = [`Revoked ${result.revoked} of ${plural(asked, 'selected task')}`];
  if (result.terminated > 0) parts.push(`${result.terminated} terminated while running`);
  const archived = result.archives.reduce((n, a) => n + a.count, 0);
  if (archived > 0) parts.push(`${plural(archived, 'waiting message')} taken out of their queues (restorable from the queue page)`);
  return `${parts.join('; ')}.`;
}

/**
 * Revoke or terminate the explorer's selected tasks (operators). The confirmation first asks
 * the server how many of them it finds (a dry run) so the operator confirms a real count;
 * tasks already final are left as they are.
 */
export function BulkRevokeBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const [terminate, setTerminate] = useState<boolean | null>(null);
  const [asked, setAsked] = useState(0);
  const preview = useRevokeTasks();
  const revoke = useRevokeTasks();
  const open = (wantTerminate: boolean) => {
    setTerminate(wantTerminate);
    revoke.reset();
    preview.mutate({ ids, terminate: wantTerminate, dryRun: true });
  };
  const close = () => setTerminate(null);
  const confirm = () => {
    if (terminate === null) return;
    setAsked(ids.length);
    revoke.mutate({ ids, terminate }, { onSuccess: onDone, onSettled: close });
  };
  const verb = terminate ? 'Terminate' : 'Revoke';
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm" data-testid="task-bulk">
      <span data-testid="task-selected-count">{plural(ids.length, 'task')} selected</span>
      <Button size="sm" variant="dangerOutline" disabled={ids.length === 0} onClick={() => open(false)} data-testid="task-bulk-revoke">
        Revoke selected…
      </Button>
      <Button size="sm" variant="danger" disabled={ids.length === 0} onClick={() => open(true)} data-testid="task-bulk-terminate">
        Terminate selected…
      </Button>
      {terminate !== null ? (
        <Dialog
          title={`${verb} ${plural(ids.length, 'selected task')}?`}
          testId="task-bulk-dialog"
          busy={revoke.isPending}
          onClose={close}
          footer={
            <RevokeConfirmFooter
              busy={revoke.isPending}
              label={verb}
              testId="task-bulk-confirm"
              ready={preview.isSuccess && preview.data.matched > 0}
              onCancel={close}
              onConfirm={confirm}
            />
          }
        >
          <p className="text-sm" aria-live="polite" data-testid="task-bulk-preview">
            {preview.isPending
              ? 'Counting what the server finds of them…'
              : preview.isError
                ? `Cannot count them: ${preview.error.message}`
                : preview.isSuccess
                  ? `Found ${preview.data.matched} of ${plural(ids.length, 'selected task')}. Those already final are left as they are.`
                  : null}
          </p>
          <p className="text-sm">
            {terminate
              ? 'Workers will not start them; a running one is stopped (Triage workers abort it within a second; Celery workers kill it with SIGTERM).'
              : 'Workers will not start them; waiting messages are taken out of their queues and kept for undo. Running ones finish.'}
          </p>
        </Dialog>
      ) : null}
      {revoke.isSuccess ? (
        <p role="status" data-testid="task-bulk-result" className="text-emerald-800 dark:text-emerald-300">
          {describeBulkResult(revoke.data, asked)}
        </p>
      ) : null}
      {revoke.isError ? (
        <p role="alert" data-testid="task-bulk-error" className="break-words text-red-700 dark:text-red-400">
          {revoke.error.message}
        </p>
      ) : null}
    </div>
  );
}
