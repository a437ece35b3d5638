import { formatTime } from '@/lib/client/time-format';
import type { TaskHistoryEntry, TaskState } from '@/lib/shared/task-record';

/** Badge colors per state, readable in both themes. Literal class names: Tailwind only sees literal text. */
export const STATE_CLASS: Record<TaskState, string> = {
  queued: 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200',
  active: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
  succeeded: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  failed: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  retrying: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  dead: 'bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900',
  revoked: 'bg-orange-100 text-orange-900 dark:bg-orange-950 dark:text-orange-200',
};

const ENDS_ATTEMPT: readonly TaskState[] = ['succeeded', 'failed', 'retrying', 'dead', 'revoked'];

/** How long each attempt ran: from an `active` entry to the entry that ended it, keyed by the active entry's index. */
export function attemptDurations(history: readonly TaskHistoryEntry[]): Map<number, number> {
  const out = new Map<number, number>();
  history.forEach((entry, i) => {
    if (entry.state !== 'active') return;
    const end = history.slice(i + 1).find((e) => ENDS_ATTEMPT.includes(e.state));
    if (end) out.set(i, Date.parse(end.at) - Date.parse(entry.at));
  });
  return out;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${s % 60}s`;
}

/** A task's moments to the millisecond (order within a second matters here), in the one format of every page. */
export function formatInstant(iso: string | null | undefined): string {
  return formatTime(iso, { ms: true });
}

/** Pretty JSON for display; shown as text, never as markup. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return '—';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
