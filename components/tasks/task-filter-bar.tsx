'use client';

import { useId } from 'react';
import type { TaskFilterParams } from '@/lib/client/task-explorer';
import { PRIORITIES } from '@/lib/shared/priority';
import { BANDS } from '../priority-colors';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { Input, SearchInput } from '../ui/input';
import { Select } from '../ui/select';
import { TimeRangeOptions } from './time-ranges';


/** The fields of the form; `state` is the strip's, kept as it is when the form applies. */
type FormKey = Exclude<keyof TaskFilterParams, 'state' | 'until'>;
const FORM_KEYS: FormKey[] = ['task', 'queue', 'broker', 'worker', 'priority', 'since', 'q', 'id'];

/** The explorer's filters other than state; applied on submit (Enter), kept in the URL by the caller. */
export function TaskFilterBar({ filters, onApply }: { filters: TaskFilterParams; onApply: (next: TaskFilterParams) => void }) {
  const id = useId();
  const since = filters.since ?? '';
  const priority = filters.priority ?? '';
  const presetPriority = priority === '' || BANDS.some((b) => b.band === priority) || PRIORITIES.some((p) => String(p) === priority);
  const text = (name: FormKey, label: string, placeholder: string, mono = true) => (
    <Field id={`${id}-${name}`} label={label}>
      <Input id={`${id}-${name}`} name={name} defaultValue={filters[name] ?? ''} placeholder={placeholder} mono={mono} spellCheck={false} autoComplete="off" />
    </Field>
  );
  return (
    <form
      // Re-mount on URL changes (back button, shared link) so the fields show the applied filter.
      key={JSON.stringify(filters)}
      role="search"
      aria-label="Filter tasks"
      data-testid="task-filters"
      className="grid grid-cols-1 items-end gap-2 sm:grid-cols-2 lg:grid-cols-4 xl:grid-cols-[repeat(4,minmax(0,1fr))_auto]"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const next: TaskFilterParams = { state: filters.state, until: filters.until };
        for (const key of FORM_KEYS) {
          const value = String(data.get(key) ?? '').trim();
          if (value) next[key] = value;
        }
        onApply(next);
      }}
    >
      {text('task', 'Task name', 'any part, e.g. report')}
      <Field id={`${id}-priority`} label="Priority">
        <Select id={`${id}-priority`} name="priority" defaultValue={priority}>
          <option value="">Any priority</option>
          {presetPriority ? null : <option value={priority}>{priority}</option>}
          <optgroup label="Bands">
            {BANDS.map((b) => (
              <option key={b.band} value={b.band}>
                {b.label} band ({b.from}–{b.to})
              </option>
            ))}
          </optgroup>
          <optgroup label="Task priority">
            {PRIORITIES.map((p) => (
              <option key={p} value={String(p)}>
                P{p}
              </option>
            ))}
          </optgroup>
        </Select>
      </Field>
      <Field id={`${id}-since`} label="Last change">
        <Select id={`${id}-since`} name="since" defaultValue={since}>
          <option value="">Any time</option>
          <TimeRangeOptions current={since} />
        </Select>
      </Field>
      <Field id={`${id}-q`} label="Text in args, result or error">
        <SearchInput id={`${id}-q`} name="q" defaultValue={filters.q ?? ''} placeholder="e.g. customer@example.com" />
      </Field>
      {text('queue', 'Queue', 'any; several: a,b')}
      {text('broker', 'Broker', 'any, e.g. redis')}
      {text('worker', 'Worker', 'any, e.g. celery@host')}
      {text('id', 'Task id starts with', 'e.g. 3f2a9c1e')}
      <div className="flex gap-2 xl:col-start-5 xl:row-start-1">
        <Button type="submit" variant="primary">
          Apply
        </Button>
        <Button onClick={() => onApply({})} data-testid="task-filters-clear">
          Clear
        </Button>
      </div>
    </form>
  );
}
