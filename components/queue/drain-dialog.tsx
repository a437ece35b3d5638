'use client';

import { useState } from 'react';
import { queuePath } from '@/lib/client/api';
import { useControlAction, useExactDepth } from '@/lib/client/queue-queries';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { ActionDialog } from './action-dialog';
import { QueueRefPicker, type QueueRef } from './queue-ref-picker';

interface PickerProps {
  queue: Queue;
  queues: readonly Queue[];
  brokers: readonly string[];
  onClose: () => void;
}

function parkingQueue(queue: Queue): QueueRef {
  return { broker: queue.broker, queue: `${queue.name}.drained` };
}

function isDefault(ref: QueueRef, queue: Queue): boolean {
  const parking = parkingQueue(queue);
  return ref.broker === parking.broker && ref.queue === parking.queue;
}

/** Moves every waiting message to a parking queue, keeping priorities; Restore brings them back. */
export function DrainDialog({ queue, queues, brokers, onClose }: PickerProps) {
  const [to, setTo] = useState<QueueRef>(parkingQueue(queue));
  const action = useControlAction<{ moved: number; to: QueueRef }>(queue.broker, queue.name);
  const depth = useExactDepth(queue.broker, queue.name, !action.isPending && !action.isSuccess);
  const complete = to.queue.trim() !== '';
  return (
    <ActionDialog
      title={`Drain ${queue.name}`}
      testId="drain-dialog"
      preview={{ count: depth.data ?? null, pending: depth.isPending, error: depth.error }}
      previewText={(n) => `${formatCount(n)} waiting message${n === 1 ? '' : 's'} will move to ${to.broker}/${to.queue}.`}
      run={action}
      result={action.data ? `Moved ${formatCount(action.data.moved)} to ${action.data.to.broker}/${action.data.to.queue}.` : null}
      confirmLabel="Drain"
      canConfirm={complete}
      onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/drain'), body: isDefault(to, queue) ? {} : { to } })}
      onClose={onClose}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Moves every waiting message to a parking queue, keeping priorities, so workers stop seeing them. Restore moves them back.
        Messages a worker takes meanwhile still run.
      </p>
      <QueueRefPicker label="Parking queue" value={to} onChange={setTo} queues={queues} brokers={brokers} />
    </ActionDialog>
  );
}

export function RestoreDialog({ queue, queues, brokers, onClose }: PickerProps) {
  const [from, setFrom] = useState<QueueRef>(parkingQueue(queue));
  const action = useControlAction<{ moved: number; from: QueueRef; to: QueueRef }>(queue.broker, queue.name);
  const depth = useExactDepth(from.broker, from.queue, !action.isPending && !action.isSuccess && from.queue.trim() !== '', { missingAsEmpty: true });
  return (
    <ActionDialog
      title={`Restore into ${queue.name}`}
      testId="restore-dialog"
      preview={{ count: depth.data ?? null, pending: depth.isPending, error: depth.error }}
      previewText={(n) =>
        n === 0 ? `${from.broker}/${from.queue} holds no messages.` : `${formatCount(n)} message${n === 1 ? '' : 's'} will move back from ${from.broker}/${from.queue}.`
      }
      run={action}
      result={action.data ? `Restored ${formatCount(action.data.moved)} from ${action.data.from.broker}/${action.data.from.queue}.` : null}
      confirmLabel="Restore"
      canConfirm={(depth.data ?? 0) > 0}
      onConfirm={() => action.mutate({ path: queuePath(queue.broker, queue.name, '/restore'), body: isDefault(from, queue) ? {} : { from } })}
      onClose={onClose}
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Moves every message of the parking queue back into {queue.name}, at their priorities.
      </p>
      <QueueRefPicker label="Restore from" value={from} onChange={setFrom} queues={queues} brokers={brokers} />
    </ActionDialog>
  );
}
