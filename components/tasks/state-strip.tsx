'use client';

import { EXECUTION_STATES, type ExecutionState } from '@/lib/shared/task-summary';
import { formatCount } from '../format';
import { EXECUTION_STATE_DOT } from './state-badge';

/**
 * Executions per state in the time range, each a toggle of the state filter: several may be
 * on at once (none = every state). Counts ignore the other filters, which the index cannot
 * count without reading every row.
 */
export function StateStrip({
  counts,
  selected,
  onToggle,
}: {
  counts: Record<ExecutionState, number> | null;
  selected: readonly ExecutionState[];
  onToggle: (state: ExecutionState) => void;
}) {
  return (
    <div role="group" aria-label="Filter by state" className="flex flex-wrap gap-2" data-testid="state-strip">
      {EXECUTION_STATES.map((state) => {
        const on = selected.includes(state);
        return (
          <button
            key={state}
            type="button"
            aria-pressed={on}
            onClick={() => onToggle(state)}
            data-testid={`state-chip-${state}`}
            className={`inline-flex cursor-pointer items-center gap-2 rounded-full border px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${
              on
                ? 'border-sky-700 bg-sky-50 font-semibold text-sky-900 dark:border-sky-300 dark:bg-sky-950 dark:text-sky-100'
                : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800'
            }`}
          >
            <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${EXECUTION_STATE_DOT[state]}`} />
            {state}
            <span className="tabular-nums text-slate-600 dark:text-slate-400" data-testid={`state-count-${state}`}>
              {counts ? formatCount(counts[state]) : '…'}
            </span>
          </button>
        );
      })}
    </div>
  );
}
