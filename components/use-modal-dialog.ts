'use client';

import { useEffect, useRef } from 'react';

/**
 * Keeps a native <dialog> shown as a modal while `open`: showModal() makes the rest of the
 * page inert (focus stays inside) and gives Escape-to-close for free.
 */
export function useModalDialog(open: boolean) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return ref;
}
