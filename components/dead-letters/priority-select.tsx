'use client';

import { PRIORITIES, bandOf } from '@/lib/shared/priority';

/** "Keep" (null) or a new priority 0–9, with its band name. */
export function PrioritySelect({ value, onChange, id }: { value: number | null; onChange: (p: number | null) => void; id: string }) {
  return (
    <select
      id={id}
      value={value === null ? '' : String(value)}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
    >
      <option value="">original priority</option>
      {PRIORITIES.map((p) => (
        <option key={p} value={p}>
          {p} ({bandOf(p)})
        </option>
      ))}
    </select>
  );
}
