'use client';

import { useState } from 'react';
import { useRevokeTask, type RevokeRequest } from '@/lib/client/tasks';
import { FINAL_TASK_STATES, type TaskState } from '@/lib/shared/task-record';
import { Button } from '../ui/button';
import { Panel } from '../ui/panel';
import { RevokeConfirmDialog, RevokeOutcome } from './revoke-confirm';

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
    <Panel
      title="Revoke"
      description={
        final
          ? `This task is ${state}: there is nothing left to revoke.`
          : 'Revoke: no worker runs it (a waiting copy is taken out of its queue and kept for undo). Terminate: a running task is stopped too.'
      }
    >
      <div className="flex flex-wrap gap-3">
        <Button variant="dangerOutline" disabled={final || revoke.isPending} onClick={() => setAsking({ terminate: false })} data-testid="revoke-open">
          Revoke
        </Button>
        <Button variant="danger" disabled={final || revoke.isPending} onClick={() => setAsking({ terminate: true })} data-testid="terminate-open">
          Terminate
        </Button>
      </div>
      {asking ? <RevokeConfirmDialog id={id} asking={asking} revoke={revoke} onClose={() => setAsking(null)} /> : null}
      <RevokeOutcome revoke={revoke} />
    </Panel>
  );
}
