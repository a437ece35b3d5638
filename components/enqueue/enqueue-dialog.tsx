'use client';

import Link from 'next/link';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { isApiError } from '@/lib/client/api';
import { buildEnqueueBody, serverFieldErrors, type EnqueueFormValues, type FieldErrors } from '@/lib/client/enqueue-form';
import { useQueues } from '@/lib/client/queries';
import { useEnqueue, useRegistry } from '@/lib/client/tasks';
import { priorityLabel } from '@/lib/shared/priority-label';
import { formatCount } from '../format';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field, errorId, errorProps } from '../ui/field';
import { Input, TextArea } from '../ui/input';
import { PrioritySelect } from '../ui/priority-select';
import { Select } from '../ui/select';
import { SuggestInput } from './suggest-input';

interface EnqueueResult {
  ids: string[];
  broker: string;
  queue: string;
  priority: number;
}

/**
 * The enqueue form in the kit's modal (mounted while open, so each opening starts fresh). With `broker` and `queue` given the target is fixed (a queue page); otherwise it
 * is chosen here from the known queues (it must exist: the API refuses unknown queues).
 */
export function EnqueueDialog({
  onClose,
  broker: presetBroker,
  queue: presetQueue,
}: {
  onClose: () => void;
  broker?: string;
  queue?: string;
}) {
  const uid = useId();
  const ids = (name: string) => `${uid}-${name}`;
  const registry = useRegistry();
  const queues = useQueues();
  const enqueue = useEnqueue();
  const fixedTarget = presetBroker !== undefined && presetQueue !== undefined;

  const [values, setValues] = useState<EnqueueFormValues>({
    broker: presetBroker ?? 'redis',
    queue: presetQueue ?? '',
    task: '',
    args: '',
    kwargs: '',
    priority: -1,
    count: '1',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [result, setResult] = useState<EnqueueResult | null>(null);

  // The configured default applies until the user picks a priority.
  const defaultPriority = registry.data?.defaultPriority ?? 5;
  const priority = values.priority < 0 ? defaultPriority : values.priority;

  const brokers = useMemo(() => [...new Set((queues.data?.queues ?? []).map((q) => q.broker))], [queues.data]);
  const queueNames = useMemo(
    () => (queues.data?.queues ?? []).filter((q) => q.broker === values.broker).map((q) => q.name),
    [queues.data, values.broker],
  );
  const definition = registry.data?.tasks.find((t) => t.name === values.task.trim()) ?? null;

  const set = <K extends keyof EnqueueFormValues>(key: K, value: EnqueueFormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    setResult(null);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    setResult(null);
    const built = buildEnqueueBody({ ...values, priority });
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    const target = { broker: values.broker, queue: values.queue.trim() };
    enqueue.mutate(
      { target, body: built.body },
      {
        onSuccess: ({ ids: enqueued }) => setResult({ ids: enqueued, ...target, priority }),
        onError: (error) => {
          if (isApiError(error) && error.status === 400) {
            const mapped = serverFieldErrors(error.details, error.message);
            setErrors(mapped.errors);
            setFormError(mapped.rest);
          } else {
            setFormError(error.message);
          }
        },
      },
    );
  };

  const invalid = (field: keyof FieldErrors) => errorProps(ids(field), errors[field]);

  return (
    <Dialog
      title="Enqueue tasks"
      testId="enqueue-dialog"
      wide
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button type="submit" variant="primary" disabled={enqueue.isPending}>
            {enqueue.isPending ? 'Enqueueing…' : `Enqueue ${countLabel(values.count)} at ${priorityLabel(priority)}`}
          </Button>
        </>
      }
    >
      {fixedTarget ? (
        <p className="text-sm">
          Target queue:{' '}
          <span className="font-mono font-medium" data-testid="enqueue-target">
            {presetBroker}/{presetQueue}
          </span>
        </p>
      ) : (
        <div className="grid gap-3 sm:grid-cols-[10rem_1fr]">
          <Field id={ids('broker')} name="broker" label="Broker">
            <Select id={ids('broker')} value={values.broker} onChange={(e) => set('broker', e.target.value)}>
              {(brokers.length ? brokers : ['redis', 'rabbitmq']).map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </Select>
          </Field>
          <Field id={ids('target')} name="target" label="Queue" error={errors.target}>
            <SuggestInput
              id={ids('target')}
              value={values.queue}
              onChange={(v) => set('queue', v)}
              suggestions={queueNames.map((q) => ({ value: q }))}
              placeholder="e.g. celery"
              invalid={invalid('target')}
            />
          </Field>
        </div>
      )}

      <Field
        id={ids('task')}
        name="task"
        label="Task name"
        error={errors.task}
        hint={
          definition ? (
            <>
              {definition.description}{' '}
              <button
                type="button"
                className="text-sky-700 underline dark:text-sky-400"
                onClick={() => {
                  set('args', JSON.stringify(definition.example.args));
                  set('kwargs', JSON.stringify(definition.example.kwargs));
                }}
              >
                Use the example arguments
              </button>
            </>
          ) : values.task.trim() ? (
            'Not a registered task: sent as typed, with no argument check (a Celery worker must know it).'
          ) : (
            'A registered task (suggested as you type) or any Celery task name.'
          )
        }
      >
        <SuggestInput
          id={ids('task')}
          value={values.task}
          onChange={(v) => set('task', v)}
          suggestions={(registry.data?.tasks ?? []).map((t) => ({ value: t.name, label: t.description }))}
          placeholder="e.g. myapp.tasks.send_email"
          invalid={invalid('task')}
        />
      </Field>

      {/* Placeholders are words, never JSON: grey example JSON passed for a filled-in value. */}
      <div className="grid gap-3 sm:grid-cols-2">
        {JSON_FIELDS.map(({ field, label, placeholder }) => (
          <Field
            key={field}
            id={ids(field)}
            name={field}
            label={label}
            error={errors[field]}
            hint={definition ? <Example testId={`${field}-example`} value={definition.example[field]} /> : null}
          >
            <TextArea
              id={ids(field)}
              value={values[field]}
              onChange={(e) => set(field, e.target.value)}
              rows={2}
              spellCheck={false}
              placeholder={placeholder}
              mono
              {...invalid(field)}
            />
          </Field>
        ))}
      </div>

      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={ids('priority')} name="priority" label="Priority" error={errors.priority} hint="0–2 high, 3–5 medium, 6–9 low">
          <PrioritySelect
            id={ids('priority')}
            value={priority}
            onChange={(p) => set('priority', p ?? defaultPriority)}
            invalid={!!errors.priority}
            describedBy={errors.priority ? errorId(ids('priority')) : undefined}
          />
        </Field>
        <Field id={ids('count')} name="count" label="How many" error={errors.count} hint="1 to 10,000 copies, each its own id">
          <Input
            id={ids('count')}
            type="number"
            min={1}
            max={10_000}
            step={1}
            inputMode="numeric"
            value={values.count}
            onChange={(e) => set('count', e.target.value)}
            className="w-32"
            {...invalid('count')}
          />
        </Field>
      </div>

      {formError ? (
        <p role="alert" data-testid="enqueue-error" className="text-sm break-words text-red-700 dark:text-red-400">
          {formError}
        </p>
      ) : null}
      {result ? <ResultLine result={result} onOpen={onClose} /> : null}
    </Dialog>
  );
}

const JSON_FIELDS = [
  { field: 'args', label: 'Args (JSON array)', placeholder: 'Empty: no arguments' },
  { field: 'kwargs', label: 'Kwargs (JSON object)', placeholder: 'Empty: no keyword arguments' },
] as const;

function Example({ value, testId }: { value: unknown; testId: string }) {
  return (
    <>
      Example: <code data-testid={testId} className="font-mono break-all">{JSON.stringify(value)}</code>
    </>
  );
}

function countLabel(count: string): string {
  const n = Number(count);
  return Number.isInteger(n) && n > 1 ? `${formatCount(n)} tasks` : 'task';
}

function ResultLine({ result, onOpen }: { result: EnqueueResult; onOpen: () => void }) {
  const first = result.ids[0];
  const box = useRef<HTMLDivElement>(null);
  // The form scrolls inside the dialog on short screens: bring the outcome into view.
  // A block body: Chromium's scrollIntoView returns a Promise, and an arrow returning it would
  // hand React a "cleanup" that is not a function (the page crashed on the next edit).
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  return (
    <div
      ref={box}
      role="status"
      data-testid="enqueue-result"
      className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-200"
    >
      <p>
        Enqueued <span data-testid="enqueue-result-count">{formatCount(result.ids.length)}</span>{' '}
        {result.ids.length === 1 ? 'task' : 'tasks'} on{' '}
        <span className="font-mono">
          {result.broker}/{result.queue}
        </span>{' '}
        at priority {priorityLabel(result.priority)}.
      </p>
      {first ? (
        <p className="mt-1">
          {result.ids.length > 1 ? 'First task: ' : 'Task: '}
          <Link
            href={`/tasks/${encodeURIComponent(first)}`}
            onClick={onOpen}
            data-testid="enqueue-first-task" className="font-mono break-all underline">
            {first}
          </Link>
        </p>
      ) : null}
    </div>
  );
}
