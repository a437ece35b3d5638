'use client';

import type { ReactNode } from 'react';
import type { RevokeRequest, useRevokeTask } from '@/lib/client/tasks';
import type { RevokeResult } from '@/lib/shared/revoke';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';

/**
 * Asking before a revoke or terminate, and saying what it did: the same words wherever a task
 * can be revoked (its task page, its worker's row), so operators read one story.
 */

type RevokeMutation = ReturnType<typeof useRevokeTask>;

export function RevokeConfirmDialog({
  id,
  asking,
  revoke,
  onClose,
  children,
}: {
  id: string;
  asking: RevokeRequest;
  revoke: RevokeMutation;
  onClose: () => void;
  /** What the caller knows of the task beyond its id (e.g. its name on the worker row). */
  children?: ReactNode;
}) {
  return (
    <Dialog
      title={asking.terminate ? 'Terminate this task?' : 'Revoke this task?'}
      testId="revoke-dialog"
      busy={revoke.isPending}
      onClose={onClose}
      footer={
        <RevokeConfirmFooter
          busy={revoke.isPending}
          label={asking.terminate ? 'Terminate' : 'Revoke'}
          testId="revoke-confirm"
          onCancel={onClose}
          onConfirm={() => revoke.mutate(asking, { onSettled: onClose })}
        />
      }
    >
      <p className="text-sm">
        {asking.terminate
          ? 'If it is running, its worker stops it (Triage workers abort it and free the slot within a second; Celery workers kill it with SIGTERM). Either way it will not run again.'
          : 'Workers will not start it. If it runs now, it finishes; use Terminate to stop it.'}
      </p>
      {children}
      <p className="font-mono text-xs break-all text-slate-600 dark:text-slate-400">{id}</p>
    </Dialog>
  );
}

/** Cancel, and the danger button that sends the revoke (held while it is on its way). */
export function RevokeConfirmFooter({
  busy,
  label,
  testId,
  onCancel,
  onConfirm,
  ready = true,
}: {
  busy: boolean;
  label: string;
  testId: string;
  onCancel: () => void;
  onConfirm: () => void;
  /** False while the confirmation still lacks what it needs (e.g. a count). */
  ready?: boolean;
}) {
  return (
    <>
      <Button onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
      <Button variant="danger" disabled={busy || !ready} data-testid={testId} onClick={onConfirm}>
        {busy ? 'Sending…' : label}
      </Button>
    </>
  );
}

/** The answer of a revoke (or why it failed), announced; nothing before one was sent. */
export function RevokeOutcome({ revoke, prefix = '', className = '' }: { revoke: RevokeMutation; prefix?: string; className?: string }) {
  if (revoke.isSuccess) {
    return (
      <p role="status" data-testid="revoke-result" className={`text-sm text-emerald-800 dark:text-emerald-300 ${className}`}>
        {prefix}
        {describeResult(revoke.data)}
      </p>
    );
  }
  if (revoke.isError) {
    return (
      <p role="alert" data-testid="revoke-error" className={`text-sm break-words text-red-700 dark:text-red-400 ${className}`}>
        {prefix}
        {revoke.error.message}
      </p>
    );
  }
  return null;
}

function describeResult(result: RevokeResult): string {
  // alreadyRevoked: another operator's revoke (or an earlier one) got there first.
  const parts = [result.revoked > 0 ? 'Revoked' : result.alreadyRevoked ? 'Already revoked: nothing more to do' : 'Already final: nothing revoked'];
  if (result.terminated > 0) parts.push('terminated while running');
  const archived = result.archives.reduce((n, a) => n + a.count, 0);
  if (archived > 0) parts.push(`taken out of ${result.archives.map((a) => `${a.broker}/${a.queue}`).join(', ')} (restorable from the queue page)`);
  return `${parts.join('; ')}.`;
}
