'use client';

import { PRIORITIES, bandOf } from '@/lib/shared/priority';
import { inputClass } from './dialog';

/** 0–9 with band names, so "which one is urgent?" never needs remembering. */
export function PrioritySelect({
  id,
  value,
  onChange,
  keepLabel,
  placeholder,
}: {
  id: string;
  value: number | null;
  onChange: (priority: number | null) => void;
  /** When set, an extra first option meaning "no change" (value null). */
  keepLabel?: string;
  /** When set (and no keepLabel), null shows this and cannot be picked back: a choice is required. */
  placeholder?: string;
}) {
  return (
    <select
      id={id}
      className={inputClass}
      value={value === null ? '' : String(value)}
      onChange={(event) => onChange(event.target.value === '' ? null : Number(event.target.value))}
    >
      {keepLabel ? (
        <option value="">{keepLabel}</option>
      ) : placeholder ? (
        <option value="" disabled>
          {placeholder}
        </option>
      ) : null}
      {PRIORITIES.map((p) => (
        <option key={p} value={p}>
          {p} — {bandOf(p)}
          {p === 0 ? ' (most urgent)' : ''}
        </option>
      ))}
    </select>
  );
}
