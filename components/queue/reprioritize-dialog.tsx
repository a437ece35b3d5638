'use client';

import { useId, useState } from 'react';
import { queuePath } from '@/lib/client/api';
import { useControlAction, useDryRun } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { levelOf, levelLabel } from '../levels';
import { Field } from '../ui/field';
import { PrioritySelect } from '../ui/priority-select';
import { ActionDialog } from './action-dialog';
import { describeTarget, selectionBody, targetCount, type Target } from '@/lib/client/queue-selection';

export function ReprioritizeDialog({ queue, target, onClose }: { queue: Queue; target: Target; onClose: () => void }) {
  const fieldId = useId();
  // No default: a slip of the operator must not send thousands of messages to the front.
  const [priority, setPriority] = useState<number | null>(null);
  const body = { priority, ...selectionBody(target) };
  const action = useControlAction<{ matched: number; moved: number }>(queue.broker, queue.name);
  const preview = useDryRun(queue.broker, queue.name, 'reprioritize', body, priority !== null && !action.isPending && !action.isSuccess);
  const held = priority === null ? null : levelLabel(queue, levelOf(queue, priority));
  const selected = targetCount(target);
  return (
    <ActionDialog
      title="Reprioritize messages"
      testId="reprioritize-dialog"
      preview={priority === null ? { count: selected, pending: false, error: null } : preview.preview}
      previewText={(n) =>
        priority === null
          ? `${formatCount(n)} message${n === 1 ? '' : 's'} selected. Choose their new priority.`
          : `${formatCount(n)} message${n === 1 ? '' : 's'} will get priority ${priority}.`
      }
      run={action}
      result={
        action.data
          ? `Matched ${formatCount(action.data.matched)}, moved ${formatCount(action.data.moved)} to priority ${priority}${
              action.data.matched > action.data.moved ? ` (${formatCount(action.data.matched - action.data.moved)} were already there)` : ''
            }.`
          : null
      }
      confirmLabel="Reprioritize"
      canConfirm={priority !== null && preview.matched > 0}
      onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/reprioritize'), body })}
      onClose={onClose}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Gives {describeTarget(target, queue.name)} a new priority. They join the back of their new priority, in their current order.
      </p>
      <Field id={fieldId} label="New priority">
        <PrioritySelect id={fieldId} value={priority} onChange={setPriority} placeholder="Choose a priority…" block />
        {held && held !== String(priority) ? (
          <p className="text-xs text-amber-800 dark:text-amber-300">
            This queue stores priorities {held} together: they are delivered first in, first out among themselves.
          </p>
        ) : null}
      </Field>
    </ActionDialog>
  );
}
