'use client';

import { formatTime } from '@/lib/client/time-format';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'paused';

const STYLES: Record<LiveState, { dot: string; text: string; label: string }> = {
  connecting: { dot: 'bg-slate-400', text: 'text-slate-600 dark:text-slate-300', label: 'connecting' },
  live: { dot: 'bg-emerald-500 animate-pulse', text: 'text-emerald-700 dark:text-emerald-400', label: 'live' },
  reconnecting: { dot: 'bg-amber-500', text: 'text-amber-700 dark:text-amber-400', label: 'reconnecting' },
  // The tab is hidden: updates resume (with the latest numbers) when it is shown again.
  paused: { dot: 'bg-slate-400', text: 'text-slate-600 dark:text-slate-300', label: 'paused' },
};

/** Tells the operator whether the numbers on screen are current, so stale data is never mistaken for a calm queue. */
export function LiveIndicator({ state, updatedAt }: { state: LiveState; updatedAt: number }) {
  const style = STYLES[state];
  const title = updatedAt ? `Last update ${formatTime(updatedAt)}` : 'No data yet';
  return (
    <span
      data-testid="live-indicator"
      data-state={state}
      title={title}
      role="status"
      aria-live="polite"
      className={`inline-flex items-center gap-2 rounded-full border border-slate-200 px-3 py-1 text-sm font-medium dark:border-slate-700 ${style.text}`}
    >
      <span aria-hidden className={`size-2 rounded-full ${style.dot}`} />
      {style.label}
    </span>
  );
}
