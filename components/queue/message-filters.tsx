'use client';

import { useId } from 'react';
import type { Queue } from '@/lib/shared/types';
import { levelLabel, levelsOf } from '../levels';
import { BANDS } from '../priority-colors';
import { buttonClass, inputClass, labelClass } from './dialog';
import type { BrowseFilters } from '@/lib/client/queue-selection';

function priorityOptions(queue: Queue): { value: string; label: string }[] {
  const levels = levelsOf(queue).flatMap((level) => {
    const label = levelLabel(queue, level);
    return label === null ? [] : [{ value: String(level), label: `P${label}` }];
  });
  const bands = BANDS.map((b) => ({ value: `${b.from}-${b.to}`, label: `${b.label} band (${b.from}–${b.to})` }));
  return [{ value: '', label: 'Any priority' }, ...bands, ...levels];
}

/** Filters of the message browser; applied on submit (Enter), kept in the URL by the caller. */
export function MessageFilters({ queue, filters, onApply }: { queue: Queue; filters: BrowseFilters; onApply: (filters: BrowseFilters) => void }) {
  const id = useId();
  return (
    <form
      // Re-mount on URL changes (back button, shared link) so the fields show the applied filter.
      key={JSON.stringify(filters)}
      role="search"
      aria-label="Filter messages"
      className="grid grid-cols-1 items-end gap-2 sm:grid-cols-2 lg:grid-cols-[10rem_1fr_1fr_1fr_auto]"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const text = (name: string) => String(data.get(name) ?? '').trim();
        onApply({ priority: text('priority'), task: text('task'), q: text('q'), id: text('id') });
      }}
    >
      <div>
        <label htmlFor={`${id}-priority`} className={labelClass}>
          Priority
        </label>
        <select id={`${id}-priority`} name="priority" defaultValue={filters.priority} className={inputClass}>
          {priorityOptions(queue).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-task`} className={labelClass}>
          Task name
        </label>
        <input id={`${id}-task`} name="task" defaultValue={filters.task} placeholder="myapp.tasks.send_email" className={`${inputClass} font-mono`} spellCheck={false} />
      </div>
      <div>
        <label htmlFor={`${id}-q`} className={labelClass}>
          Text in args
        </label>
        <input id={`${id}-q`} name="q" defaultValue={filters.q} placeholder="e.g. customer@example.com" className={inputClass} spellCheck={false} />
      </div>
      <div>
        <label htmlFor={`${id}-id`} className={labelClass}>
          Task id
        </label>
        <input id={`${id}-id`} name="id" defaultValue={filters.id} placeholder="exact task id" className={`${inputClass} font-mono`} spellCheck={false} />
      </div>
      <div className="flex gap-2">
        <button type="submit" className={buttonClass.primary}>
          Apply
        </button>
        <button type="button" className={buttonClass.secondary} onClick={() => onApply({ priority: '', task: '', q: '', id: '' })}>
          Clear
        </button>
      </div>
    </form>
  );
}
