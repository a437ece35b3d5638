'use client';

import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

/**
 * The one modal of the UI, on the native <dialog>: shown while mounted (callers mount it to
 * open it, so each opening starts fresh). showModal() makes the rest of the page inert, keeps
 * focus inside and gives Escape-to-close, refused while `busy` (an action is running and its
 * result would be lost). The body scrolls between a fixed title and footer on short screens.
 * With `onSubmit`, body and footer are one form, so Enter submits and a footer button can be
 * its submit button.
 */
export function Dialog({
  title,
  onClose,
  busy = false,
  testId,
  wide = false,
  onSubmit,
  footer,
  children,
}: {
  title: ReactNode;
  /** The dialog closed itself (Escape); buttons that close it call the caller's own handler. */
  onClose: () => void;
  busy?: boolean;
  testId?: string;
  /** For forms with fields side by side. */
  wide?: boolean;
  onSubmit?: (event: FormEvent<HTMLFormElement>) => void;
  footer?: ReactNode;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const frame = 'flex max-h-[90vh] flex-col';
  const content = (
    <>
      <h2 id={titleId} className="border-b border-slate-200 px-5 py-3 text-lg font-semibold dark:border-slate-800">
        {title}
      </h2>
      <div className="min-h-0 flex-1 space-y-4 overflow-y-auto px-5 py-4">{children}</div>
      {footer ? (
        <div className="flex flex-wrap justify-end gap-2 border-t border-slate-200 px-5 py-3 dark:border-slate-800">{footer}</div>
      ) : null}
    </>
  );
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        if (busy) event.preventDefault();
      }}
      onClose={onClose}
      className={`m-auto ${wide ? 'w-[min(42rem,calc(100vw-1rem))]' : 'w-[min(34rem,calc(100vw-2rem))]'} rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100`}
    >
      {onSubmit ? (
        <form onSubmit={onSubmit} noValidate className={frame}>
          {content}
        </form>
      ) : (
        <div className={frame}>{content}</div>
      )}
    </dialog>
  );
}
