'use client';

import type { Queue } from '@/lib/shared/types';
import { EnqueueButton } from '../enqueue/enqueue-button';
import { RoleGate } from '../role-gate';
import { Button } from '../ui/button';
import { PauseButton } from './pause-button';
import type { Target } from '@/lib/client/queue-selection';

export type DialogKind = 'reprioritize' | 'move' | 'delete' | 'drain' | 'restore' | 'purge';

/** Actions on the queue; hidden for roles that cannot run them (the server checks again). */
export function QueueToolbar({ queue, target, onOpen }: { queue: Queue; target: Target | null; onOpen: (kind: DialogKind) => void }) {
  const needsSelection = target === null ? 'Select messages first (checkboxes below)' : undefined;
  const hint = needsSelection ? (
    <span className="text-xs text-slate-500 dark:text-slate-400" data-testid="toolbar-hint">
      Select messages below to reprioritize, move or delete them.
    </span>
  ) : null;
  return (
    <RoleGate role="operator">
      <div role="toolbar" aria-label="Queue actions" className="flex flex-wrap items-center gap-2" data-testid="queue-toolbar">
        <Button variant="primary" disabled={!target} title={needsSelection} onClick={() => onOpen('reprioritize')}>
          Reprioritize…
        </Button>
        <Button disabled={!target} title={needsSelection} onClick={() => onOpen('move')}>
          Move…
        </Button>
        <Button disabled={!target} title={needsSelection} onClick={() => onOpen('delete')}>
          Delete…
        </Button>
        {hint}
        <span aria-hidden className="mx-1 h-6 w-px bg-slate-300 dark:bg-slate-700" />
        <Button onClick={() => onOpen('drain')}>
          Drain…
        </Button>
        <Button onClick={() => onOpen('restore')}>
          Restore…
        </Button>
        <PauseButton queue={queue} />
        <RoleGate role="admin">
          <Button variant="danger" onClick={() => onOpen('purge')}>
            Purge…
          </Button>
        </RoleGate>
        <span className="ml-auto">
          <EnqueueButton broker={queue.broker} queue={queue.name} />
        </span>
      </div>
    </RoleGate>
  );
}
