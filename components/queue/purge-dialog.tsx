'use client';

import { useId, useState } from 'react';
import { queuePath } from '@/lib/client/api';
import { useControlAction, useExactDepth } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { ActionDialog } from './action-dialog';

interface PurgeResult {
  deleted: number;
  archiveId: string;
}

function ArchiveRestore({ queue, archiveId }: { queue: Queue; archiveId: string }) {
  const restore = useControlAction<{ restored: number; to: { broker: string; queue: string } }>(queue.broker, queue.name, { tracked: false });
  return (
    <div className="space-y-2" data-testid="archive-restore">
      {restore.isSuccess ? (
        <p role="status" data-testid="archive-restore-result" className="text-sm text-emerald-800 dark:text-emerald-300">
          Restored {formatCount(restore.data.restored)} to {restore.data.to.broker}/{restore.data.to.queue}.
        </p>
      ) : (
        <Button disabled={restore.isPending} onClick={() => restore.mutate({ path: `/api/v1/archives/${encodeURIComponent(archiveId)}/restore` })}>
          {restore.isPending ? 'Restoring…' : 'Restore purged messages'}
        </Button>
      )}
      {restore.error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          Restore failed: {restore.error.message}
        </p>
      ) : null}
    </div>
  );
}

/** Admin only. The operator types the queue name; purged messages stay in an archive for 24 h. */
export function PurgeDialog({ queue, onClose }: { queue: Queue; onClose: () => void }) {
  const confirmId = useId();
  const [typed, setTyped] = useState('');
  const action = useControlAction<PurgeResult>(queue.broker, queue.name);
  const depth = useExactDepth(queue.broker, queue.name, !action.isPending && !action.isSuccess);
  return (
    <ActionDialog
      title={`Purge ${queue.name}`}
      testId="purge-dialog"
      preview={{ count: depth.data ?? null, pending: depth.isPending, error: depth.error }}
      previewText={(n) => `${formatCount(n)} waiting message${n === 1 ? '' : 's'} will be purged (the result counts exactly what was purged).`}
      run={action}
      result={
        action.data ? (
          <div className="space-y-2">
            <p>
              Purged {formatCount(action.data.deleted)}. Archive <span className="font-mono" data-testid="archive-id">{action.data.archiveId}</span> keeps them for 24 hours.
            </p>
            <ArchiveRestore queue={queue} archiveId={action.data.archiveId} />
          </div>
        ) : null
      }
      confirmLabel="Purge"
      danger
      canConfirm={typed === queue.name}
      onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/purge'), body: { confirm: typed } })}
      onClose={onClose}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Deletes every waiting message of {queue.broker}/{queue.name}. They are archived for 24 hours and can be restored from here or,
        after closing, from this queue&apos;s page.
      </p>
      {action.isSuccess ? null : (
        <Field
          id={confirmId}
          label={
            <>
              Type <span className="font-mono font-semibold">{queue.name}</span> to confirm
            </>
          }
        >
          <Input
            id={confirmId}
            mono
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      )}
    </ActionDialog>
  );
}
