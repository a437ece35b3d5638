'use client';

import { useId } from 'react';
import { PRIORITIES } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { rangeLabel } from '../format';
import { levelRangeOf, levelsOf } from '../levels';
import { BANDS } from '../priority-colors';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import type { BrowseFilters } from '@/lib/client/queue-selection';

interface Option {
  value: string;
  label: string;
}

/**
 * The filter is on each task's own priority. Besides bands and single priorities, a level
 * that stores several priorities together (kombu's 0–2) is offered as their range.
 */
function priorityOptions(queue: Queue): { group: string; options: Option[] }[] {
  const bands = BANDS.map((b) => ({ value: `${b.from}-${b.to}`, label: `${b.label} band (${b.from}–${b.to})` }));
  const shared = levelsOf(queue).flatMap((level) => {
    const range = levelRangeOf(queue, level);
    if (!range || range[0] === range[1]) return [];
    const value = `${range[0]}-${range[1]}`;
    // A level that is also a band (0–2 under kombu's default steps) is already offered.
    return bands.some((b) => b.value === value) ? [] : [{ value, label: `stored together: P${rangeLabel(range)}` }];
  });
  const single = PRIORITIES.map((p) => ({ value: String(p), label: `P${p}` }));
  return [
    { group: 'Bands', options: bands },
    ...(shared.length > 0 ? [{ group: 'Levels of this queue', options: shared }] : []),
    { group: 'Task priority', options: single },
  ];
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
      <Field id={`${id}-priority`} label="Priority">
        <Select id={`${id}-priority`} name="priority" defaultValue={filters.priority}>
          <option value="">Any priority</option>
          {priorityOptions(queue).map(({ group, options }) => (
            <optgroup key={group} label={group}>
              {options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ))}
        </Select>
      </Field>
      <Field id={`${id}-task`} label="Task name">
        <Input id={`${id}-task`} name="task" defaultValue={filters.task} placeholder="myapp.tasks.send_email" mono spellCheck={false} />
      </Field>
      <Field id={`${id}-q`} label="Text in args">
        <Input id={`${id}-q`} name="q" defaultValue={filters.q} placeholder="e.g. customer@example.com" spellCheck={false} />
      </Field>
      <Field id={`${id}-id`} label="Task id">
        <Input id={`${id}-id`} name="id" defaultValue={filters.id} placeholder="exact task id" mono spellCheck={false} />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" variant="primary">
          Apply
        </Button>
        <Button onClick={() => onApply({ priority: '', task: '', q: '', id: '' })}>
          Clear
        </Button>
      </div>
    </form>
  );
}
