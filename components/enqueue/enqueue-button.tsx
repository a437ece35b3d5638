'use client';

import { useState } from 'react';
import { RoleGate } from '@/components/role-gate';
import { Button } from '../ui/button';
import { EnqueueDialog } from './enqueue-dialog';

/**
 * "Enqueue" and its dialog, for operators. Give `broker` and `queue` to fix the target
 * (a queue page); without them the dialog asks for it (the header's global button).
 */
export function EnqueueButton({ broker, queue }: { broker?: string; queue?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <RoleGate role="operator">
      <Button variant="primary" onClick={() => setOpen(true)} aria-haspopup="dialog" data-testid="enqueue-open">
        Enqueue
      </Button>
      {/* Mounted only while open: each opening starts from a fresh form state. */}
      {open ? <EnqueueDialog onClose={() => setOpen(false)} broker={broker} queue={queue} /> : null}
    </RoleGate>
  );
}
