'use client';

import type { ReactNode } from 'react';
import { formatCount } from '../format';
import type { PreviewState } from '@/lib/client/queue-queries';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';

export type { PreviewState };

/** A preview still reading may be acted on once it found something: the operation selects by the same rule anyway. */
export function canActOnPreview(preview: PreviewState): boolean {
  if (preview.error) return false;
  if (preview.pending) return (preview.progress?.matched ?? 0) > 0;
  return true;
}

function PreviewNotice({ preview, previewText }: { preview: PreviewState; previewText: (count: number) => ReactNode }) {
  if (preview.pending || preview.count === null) {
    const progress = preview.progress;
    if (!progress || progress.scanned === 0) return <>Counting the messages this affects…</>;
    return (
      <span data-testid="action-preview-running">
        Counting… at least {formatCount(progress.matched)} so far ({formatCount(progress.scanned)} read).
        {progress.matched > 0 ? ' You can go ahead before the count ends.' : ''}
      </span>
    );
  }
  return (
    <>
      {preview.partial ? 'At least ' : ''}
      {previewText(preview.count)}
      {preview.estimate ? (
        <span className="mt-1 block text-xs opacity-80">Counted from RabbitMQ&apos;s per-priority statistics (a few seconds old); the result counts exactly.</span>
      ) : null}
    </>
  );
}

export interface RunState {
  isPending: boolean;
  isSuccess: boolean;
  error: Error | null;
  progress: { scanned: number; matched: number; moved: number } | null;
}

function Notice({ tone, children, testId }: { tone: 'info' | 'error' | 'success'; children: ReactNode; testId?: string }) {
  const tones = {
    info: 'border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950/50 dark:text-sky-200',
    error: 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200',
    success: 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-200',
  };
  return (
    <div role={tone === 'error' ? 'alert' : 'status'} data-testid={testId} className={`rounded-md border px-3 py-2 text-sm ${tones[tone]}`}>
      {children}
    </div>
  );
}

/**
 * The dialog of every bulk action on a queue: the caller's fields (`children`), then the
 * preview count, progress while it runs, and the exact result or the API's error. Nothing
 * runs without the operator's confirmation; Escape and Cancel do nothing while it runs.
 */
export function ActionDialog({
  title,
  testId,
  children,
  preview,
  previewText,
  run,
  result,
  confirmLabel,
  danger = false,
  canConfirm = true,
  onConfirm,
  onClose,
}: {
  title: string;
  testId: string;
  children?: ReactNode;
  preview: PreviewState | null;
  previewText: (count: number) => ReactNode;
  run: RunState;
  result: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  canConfirm?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const done = run.isSuccess || run.error !== null;
  const footer = (
    <>
      <Button onClick={onClose} disabled={run.isPending}>
        {done ? 'Close' : 'Cancel'}
      </Button>
      {done ? null : (
        <Button
          variant={danger ? 'danger' : 'primary'}
          disabled={!canConfirm || run.isPending || (preview !== null && !canActOnPreview(preview))}
          onClick={onConfirm}
          data-testid="action-confirm"
        >
          {confirmLabel}
        </Button>
      )}
    </>
  );
  return (
    <Dialog title={title} testId={testId} busy={run.isPending} onClose={onClose} footer={footer}>
      {children}
      {preview && !done && !run.isPending ? (
        preview.error ? (
          <Notice tone="error" testId="action-preview-error">
            Cannot preview: {preview.error.message}
          </Notice>
        ) : (
          <Notice tone="info" testId="action-preview">
            <PreviewNotice preview={preview} previewText={previewText} />
          </Notice>
        )
      ) : null}
      {run.isPending ? (
        <Notice tone="info" testId="action-progress">
          <span className="inline-flex items-center gap-2">
            <span aria-hidden className="size-2 animate-pulse rounded-full bg-sky-600" />
            Running…
            {run.progress
              ? ` scanned ${formatCount(run.progress.scanned)}, matched ${formatCount(run.progress.matched)}, done ${formatCount(run.progress.moved)}`
              : ''}
          </span>
          {run.progress && run.progress.matched > 0 ? (
            <progress className="mt-2 block h-1.5 w-full" max={run.progress.matched} value={run.progress.moved} />
          ) : null}
        </Notice>
      ) : null}
      {run.error ? (
        <Notice tone="error" testId="action-error">
          Failed: {run.error.message}
        </Notice>
      ) : null}
      {run.isSuccess ? (
        <Notice tone="success" testId="action-result">
          {result}
        </Notice>
      ) : null}
    </Dialog>
  );
}
