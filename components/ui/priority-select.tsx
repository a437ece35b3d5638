'use client';

import { priorityOptionLabel } from '@/lib/shared/priority-label';
import { BANDS, priorityBg } from '../priority-colors';
import { Select } from './select';

/**
 * The one priority picker: 0–9 grouped by band (high 0–2, medium 3–5, low 6–9), each named
 * by priorityOptionLabel, with the chosen priority's color beside it so it reads the same as
 * every bar and chart. `null` is "no priority chosen": with `keepLabel` it is a choice of its
 * own (keep each task's priority); with `placeholder` it shows until one is picked and cannot
 * be picked back (a choice is required).
 */
export function PrioritySelect({
  id,
  value,
  onChange,
  keepLabel,
  placeholder,
  block = false,
  invalid = false,
  describedBy,
}: {
  id: string;
  value: number | null;
  onChange: (priority: number | null) => void;
  keepLabel?: string;
  placeholder?: string;
  /** Take the whole width of its row. */
  block?: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <span className={`${block ? 'flex' : 'inline-flex'} items-center gap-2`}>
      <span
        aria-hidden
        className={`size-4 shrink-0 rounded-sm ${value === null ? 'border border-dashed border-slate-400 dark:border-slate-500' : priorityBg(value)}`}
      />
      <Select
        id={id}
        className={block ? 'min-w-0 flex-1' : 'w-auto'}
        value={value === null ? '' : String(value)}
        onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
      >
        {keepLabel ? (
          <option value="">{keepLabel}</option>
        ) : placeholder ? (
          <option value="" disabled>
            {placeholder}
          </option>
        ) : null}
        {BANDS.map(({ band, label, from, to }) => (
          <optgroup key={band} label={`${label} (${from}–${to})`}>
            {Array.from({ length: to - from + 1 }, (_, i) => from + i).map((p) => (
              <option key={p} value={p}>
                {priorityOptionLabel(p)}
              </option>
            ))}
          </optgroup>
        ))}
      </Select>
    </span>
  );
}
