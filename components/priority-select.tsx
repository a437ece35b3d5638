'use client';

import { bandOf } from '@/lib/shared/priority';
import { BANDS, priorityBg } from './priority-colors';

/**
 * A 0–9 priority picker grouped by band names (high 0–2, medium 3–5, low 6–9), with the
 * priority's color beside it so it reads the same as every bar and chart. `allowKeep` adds
 * a "keep" choice (undefined), e.g. retry at the task's own priority.
 */
export function PrioritySelect({
  id,
  value,
  onChange,
  allowKeep = false,
  describedBy,
  invalid = false,
}: {
  id: string;
  value: number | undefined;
  onChange: (priority: number | undefined) => void;
  allowKeep?: boolean;
  describedBy?: string;
  invalid?: boolean;
}) {
  return (
    <span className="inline-flex items-center gap-2">
      {value === undefined ? null : <span aria-hidden className={`size-4 shrink-0 rounded-sm ${priorityBg(value)}`} />}
      <select
        id={id}
        value={value === undefined ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900"
      >
        {allowKeep ? <option value="">keep its priority</option> : null}
        {BANDS.map(({ band, label, from, to }) => (
          <optgroup key={band} label={`${label} (${from}–${to})`}>
            {Array.from({ length: to - from + 1 }, (_, i) => from + i).map((p) => (
              <option key={p} value={p}>
                {p} · {label}
                {p === 0 ? ' (most urgent)' : ''}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </span>
  );
}

/** "3 · medium": a priority and its band, for text. */
export function priorityLabel(priority: number): string {
  return `${priority} · ${bandOf(priority)}`;
}
