'use client';

import { useId, useState } from 'react';
import { queuePath } from '@/lib/client/api';
import { useControlAction, useDryRun } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { Field } from '../ui/field';
import { PrioritySelect } from '../ui/priority-select';
import { ActionDialog } from './action-dialog';
import { QueueRefPicker, type QueueRef } from './queue-ref-picker';
import { describeTarget, selectionBody, type Target } from '@/lib/client/queue-selection';

export function MoveDialog({
  queue,
  target,
  queues,
  brokers,
  onClose,
}: {
  queue: Queue;
  target: Target;
  queues: readonly Queue[];
  brokers: readonly string[];
  onClose: () => void;
}) {
  const priorityId = useId();
  const [to, setTo] = useState<QueueRef>({ broker: queue.broker, queue: '' });
  const [priority, setPriority] = useState<number | null>(null);
  const body = { to, ...(priority === null ? {} : { priority }), ...selectionBody(target) };
  const action = useControlAction<{ matched: number; moved: number }>(queue.broker, queue.name);
  const complete = to.queue.trim() !== '';
  const preview = useDryRun(queue.broker, queue.name, 'move', body, complete && !action.isPending && !action.isSuccess);
  return (
    <ActionDialog
      title="Move messages"
      testId="move-dialog"
      preview={complete ? preview.preview : null}
      previewText={(n) => `${formatCount(n)} message${n === 1 ? '' : 's'} will move to ${to.broker}/${to.queue}.`}
      run={action}
      result={action.data ? `Matched ${formatCount(action.data.matched)}, moved ${formatCount(action.data.moved)} to ${to.broker}/${to.queue}.` : null}
      confirmLabel="Move"
      canConfirm={complete && preview.matched > 0}
      onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/move'), body })}
      onClose={onClose}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Moves {describeTarget(target, queue.name)} to another queue, on this broker or the other one.
      </p>
      <QueueRefPicker label="Target queue" value={to} onChange={setTo} queues={queues} brokers={brokers} />
      <Field id={priorityId} label="Priority">
        <PrioritySelect id={priorityId} value={priority} onChange={setPriority} keepLabel="Keep each message's priority" block />
      </Field>
    </ActionDialog>
  );
}
