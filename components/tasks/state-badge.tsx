import type { ExecutionState } from '@/lib/shared/task-summary';

/** Colors per explorer state, readable in both themes. Literal class names: Tailwind only sees literal text. */
export const EXECUTION_STATE_CLASS: Record<ExecutionState, string> = {
  received: 'bg-slate-100 text-slate-800 dark:bg-slate-800 dark:text-slate-200',
  scheduled: 'bg-violet-100 text-violet-900 dark:bg-violet-950 dark:text-violet-200',
  active: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
  succeeded: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  failed: 'bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200',
  retrying: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  revoked: 'bg-orange-100 text-orange-900 dark:bg-orange-950 dark:text-orange-200',
  dead: 'bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900',
};

/** A solid mark per state, for the count strip: the badges' pale fills vanish as dots on white. */
export const EXECUTION_STATE_DOT: Record<ExecutionState, string> = {
  received: 'bg-slate-400',
  scheduled: 'bg-violet-500',
  active: 'bg-sky-500',
  succeeded: 'bg-emerald-500',
  failed: 'bg-red-600',
  retrying: 'bg-amber-500',
  revoked: 'bg-orange-500',
  dead: 'bg-zinc-800 dark:bg-zinc-300',
};

export function StateBadge({ state }: { state: ExecutionState }) {
  return (
    <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-semibold whitespace-nowrap ${EXECUTION_STATE_CLASS[state]}`} data-testid="task-row-state">
      {state}
    </span>
  );
}
