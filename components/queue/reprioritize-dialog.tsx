'use client';

import { useId, useState } from 'react';
import { queuePath } from '@/lib/client/api';
import { useControlAction, useDryRun } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { levelOf, levelLabel } from '../levels';
import { ActionFlow } from './action-flow';
import { Dialog, labelClass } from './dialog';
import { PrioritySelect } from './priority-select';
import { describeTarget, selectionBody, type Target } from '@/lib/client/queue-selection';

export function ReprioritizeDialog({ queue, target, onClose }: { queue: Queue; target: Target; onClose: () => void }) {
  const fieldId = useId();
  const [priority, setPriority] = useState<number>(0);
  const body = { priority, ...selectionBody(target) };
  const action = useControlAction<{ matched: number; moved: number }>(queue.broker, queue.name);
  const preview = useDryRun(queue.broker, queue.name, 'reprioritize', body, !action.isPending && !action.isSuccess);
  const level = levelOf(queue, priority);
  const held = levelLabel(queue, level);
  return (
    <Dialog open onClose={onClose} title="Reprioritize messages" busy={action.isPending} testId="reprioritize-dialog">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Gives {describeTarget(target, queue.name)} a new priority. They join the back of their new priority, in their current order.
      </p>
      <div className="space-y-1">
        <label htmlFor={fieldId} className={labelClass}>
          New priority
        </label>
        <PrioritySelect id={fieldId} value={priority} onChange={(p) => setPriority(p ?? 0)} />
        {held && held !== String(priority) ? (
          <p className="text-xs text-amber-800 dark:text-amber-300">
            This queue stores priorities {held} together: they are delivered first in, first out among themselves.
          </p>
        ) : null}
      </div>
      <ActionFlow
        preview={preview.preview}
        previewText={(n) => `${formatCount(n)} message${n === 1 ? '' : 's'} will get priority ${priority}.`}
        run={action}
        result={
          action.data
            ? `Matched ${formatCount(action.data.matched)}, moved ${formatCount(action.data.moved)} to priority ${priority}${
                action.data.matched > action.data.moved ? ` (${formatCount(action.data.matched - action.data.moved)} were already there)` : ''
              }.`
            : null
        }
        confirmLabel="Reprioritize"
        canConfirm={preview.matched > 0}
        onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/reprioritize'), body })}
        onClose={onClose}
      />
    </Dialog>
  );
}
