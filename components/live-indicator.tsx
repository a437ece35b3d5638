'use client';

import { useNow } from '@/lib/client/use-now';
import { formatTime } from '@/lib/client/time-format';
import { formatAge } from './format';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'disconnected' | 'paused';

const STYLES: Record<LiveState, { dot: string; text: string; label: string }> = {
  connecting: { dot: 'bg-slate-400', text: 'text-slate-600 dark:text-slate-300', label: 'connecting' },
  live: { dot: 'bg-emerald-500 animate-pulse', text: 'text-emerald-700 dark:text-emerald-400', label: 'live' },
  reconnecting: { dot: 'bg-amber-500', text: 'text-amber-700 dark:text-amber-400', label: 'reconnecting' },
  disconnected: { dot: 'bg-red-600', text: 'text-red-700 dark:text-red-400', label: 'disconnected' },
  // The tab is hidden: updates resume (with the latest numbers) when it is shown again.
  paused: { dot: 'bg-slate-400', text: 'text-slate-600 dark:text-slate-300', label: 'paused' },
};

/** The server stopped answering: what is on screen is old. */
export function isLost(state: LiveState): boolean {
  return state === 'reconnecting' || state === 'disconnected';
}

/** "as of 12s ago": how old the numbers on screen are. */
export function NumbersAge({ updatedAt, className = '', testId }: { updatedAt: number; className?: string; testId?: string }) {
  const now = useNow();
  if (!updatedAt) return null;
  return (
    <span data-testid={testId} title={`Last update ${formatTime(updatedAt)}`} className={`tabular-nums ${className}`}>
      as of {formatAge((now - updatedAt) / 1000)} ago
    </span>
  );
}

/**
 * Tells the operator whether the numbers on screen are current, so stale data is never
 * mistaken for a calm queue: when the server stops answering it says so and how old the
 * numbers are.
 */
export function LiveIndicator({ state, updatedAt }: { state: LiveState; updatedAt: number }) {
  const style = STYLES[state];
  const title = updatedAt ? `Last update ${formatTime(updatedAt)}` : 'No data yet';
  return (
    <span className="inline-flex flex-wrap items-center gap-2 text-sm">
      <span
        data-testid="live-indicator"
        data-state={state}
        title={title}
        role="status"
        aria-live="polite"
        className={`inline-flex items-center gap-2 rounded-full border border-slate-200 px-3 py-1 font-medium dark:border-slate-700 ${style.text}`}
      >
        <span aria-hidden className={`size-2 rounded-full ${style.dot}`} />
        {style.label}
      </span>
      {/* Outside the live region: a count that ticks every second must not be announced every second. */}
      {isLost(state) ? <NumbersAge updatedAt={updatedAt} testId="numbers-age" className="text-slate-600 dark:text-slate-400" /> : null}
    </span>
  );
}
