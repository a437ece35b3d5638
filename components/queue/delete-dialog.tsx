'use client';

import { queuePath } from '@/lib/client/api';
import { useControlAction } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { ActionDialog } from './action-dialog';
import { describeTarget, selectionBody, type Target } from '@/lib/client/queue-selection';

/** Deletes the selection for good (no archive): a whole queue goes through Purge instead, which can be undone. */
export function DeleteDialog({ queue, target, onClose }: { queue: Queue; target: Target; onClose: () => void }) {
  const action = useControlAction<{ matched: number; deleted: number }>(queue.broker, queue.name);
  const count = target.kind === 'ids' ? target.ids.length : target.kind === 'matching' ? target.count : queue.depth;
  const wholeQueue = target.kind === 'queue' || (target.kind === 'matching' && !target.match);
  return (
    <ActionDialog
      title="Delete messages"
      testId="delete-dialog"
      preview={{ count, pending: false, error: null }}
      previewText={(n) => `${formatCount(n)} message${n === 1 ? '' : 's'} will be deleted.`}
      run={action}
      result={action.data ? `Matched ${formatCount(action.data.matched)}, deleted ${formatCount(action.data.deleted)}.` : null}
      confirmLabel="Delete"
      danger
      canConfirm={!wholeQueue && count > 0}
      onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/delete'), body: selectionBody(target) })}
      onClose={onClose}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Deletes {describeTarget(target, queue.name)}. Deleted messages are not archived and cannot be restored.
      </p>
      {wholeQueue ? (
        <p role="alert" className="text-sm text-amber-800 dark:text-amber-300">
          To delete every message, use Purge: it keeps them in an archive for 24 hours so they can be restored.
        </p>
      ) : null}
    </ActionDialog>
  );
}
