'use client';

import { useState } from 'react';
import { RoleGate } from '@/components/role-gate';
import { EnqueueDialog } from './enqueue-dialog';

/**
 * "Enqueue" and its dialog, for operators. Give `broker` and `queue` to fix the target
 * (a queue page); without them the dialog asks for it (the header's global button).
 */
export function EnqueueButton({ broker, queue }: { broker?: string; queue?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <RoleGate role="operator">
      <button
        type="button"
        onClick={() => setOpen(true)}
        aria-haspopup="dialog"
        data-testid="enqueue-open"
        className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
      >
        Enqueue
      </button>
      {/* Mounted only while open: each opening starts from a fresh form state. */}
      {open ? <EnqueueDialog open={open} onClose={() => setOpen(false)} broker={broker} queue={queue} /> : null}
    </RoleGate>
  );
}
