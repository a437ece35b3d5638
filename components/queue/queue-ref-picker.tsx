'use client';

import { useId } from 'react';
import type { Queue } from '@/lib/shared/types';
import { LABEL_CLASS } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';

export interface QueueRef {
  broker: string;
  queue: string;
}

/** A broker and a queue name; names of known queues are suggested, any name may be typed. */
export function QueueRefPicker({
  label,
  value,
  onChange,
  queues,
  brokers,
}: {
  label: string;
  value: QueueRef;
  onChange: (ref: QueueRef) => void;
  queues: readonly Queue[];
  brokers: readonly string[];
}) {
  const id = useId();
  const names = queues.filter((q) => q.broker === value.broker).map((q) => q.name);
  return (
    <fieldset className="space-y-1">
      <legend className={LABEL_CLASS}>{label}</legend>
      <div className="flex gap-2">
        <Select
          aria-label={`${label}: broker`}
          className="w-36 shrink-0"
          value={value.broker}
          onChange={(event) => onChange({ ...value, broker: event.target.value })}
        >
          {brokers.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </Select>
        <Input
          aria-label={`${label}: queue`}
          mono
          list={`${id}-queues`}
          value={value.queue}
          onChange={(event) => onChange({ ...value, queue: event.target.value })}
          placeholder="queue name"
          spellCheck={false}
        />
        <datalist id={`${id}-queues`}>
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </div>
    </fieldset>
  );
}
