'use client';

import { useId, useState, type FormEvent } from 'react';
import { isApiError } from '@/lib/client/api';
import { useWorkerCommand, type WorkerCommandName, type WorkerReplyInfo } from '@/lib/client/worker-control';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field, errorProps } from '../ui/field';
import { Input } from '../ui/input';

/**
 * Worker control on the worker row (operators): pool size, autoscale, rate and time limits per
 * task name, consumers, shutdown. Each dialog shows what the worker answered; a worker that
 * did not answer in time is said to, not treated as an error.
 */

interface FieldSpec {
  name: string;
  label: string;
  hint?: string;
  type?: 'text' | 'number';
  placeholder?: string;
}

interface Action {
  command: WorkerCommandName;
  title: string;
  button: string;
  fields: FieldSpec[];
  /** The request body from the fields' text; the server validates it and names a bad field. */
  body(values: Record<string, string>): Record<string, unknown>;
  danger?: boolean;
}

const number = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v));

const ACTIONS: Record<string, Action> = {
  grow: { command: 'pool', title: 'Grow the pool', button: 'Grow', fields: [{ name: 'n', label: 'Slots to add', type: 'number' }], body: (v) => ({ grow: number(v.n ?? '1') ?? 1 }) },
  shrink: { command: 'pool', title: 'Shrink the pool', button: 'Shrink', fields: [{ name: 'n', label: 'Slots to remove', type: 'number', hint: 'Running tasks finish first.' }], body: (v) => ({ shrink: number(v.n ?? '1') ?? 1 }) },
  autoscale: {
    command: 'autoscale',
    title: 'Autoscale',
    button: 'Set',
    fields: [
      { name: 'min', label: 'Minimum slots', type: 'number' },
      { name: 'max', label: 'Maximum slots', type: 'number' },
    ],
    body: (v) => ({ min: number(v.min), max: number(v.max) }),
  },
  rate: {
    command: 'rate-limit',
    title: 'Rate limit a task',
    button: 'Set',
    fields: [
      { name: 'task', label: 'Task name', placeholder: 'myapp.tasks.send_email' },
      { name: 'rate', label: 'Rate', placeholder: '10/m', hint: 'Per second, or N/s, N/m, N/h; 0 turns it off.' },
    ],
    body: (v) => ({ task: v.task ?? '', rate: v.rate ?? '' }),
  },
  time: {
    command: 'time-limit',
    title: 'Time limits of a task',
    button: 'Set',
    fields: [
      { name: 'task', label: 'Task name', placeholder: 'myapp.tasks.generate_report' },
      { name: 'soft', label: 'Soft limit (s)', type: 'number', hint: 'The task is warned.' },
      { name: 'hard', label: 'Hard limit (s)', type: 'number', hint: 'The task is stopped and recorded failed.' },
    ],
    body: (v) => ({ task: v.task ?? '', ...(number(v.soft) !== undefined ? { soft: number(v.soft) } : {}), ...(number(v.hard) !== undefined ? { hard: number(v.hard) } : {}) }),
  },
  addConsumer: { command: 'consumer', title: 'Consume a queue', button: 'Add consumer', fields: [{ name: 'queue', label: 'Queue' }], body: (v) => ({ queue: v.queue ?? '', action: 'add' }) },
  cancelConsumer: { command: 'consumer', title: 'Stop consuming a queue', button: 'Cancel consumer', fields: [{ name: 'queue', label: 'Queue' }], body: (v) => ({ queue: v.queue ?? '', action: 'cancel' }) },
  shutdown: { command: 'shutdown', title: 'Shut the worker down', button: 'Shut down', fields: [], body: () => ({}), danger: true },
};

/** A 400's `details` ([{path, message}], rooted at the body) → messages beside the fields they name, and the rest. */
function splitIssues(details: unknown, fields: readonly FieldSpec[]): { fieldErrors: Record<string, string>; rest: string | null } {
  const fieldErrors: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of Array.isArray(details) ? (details as { path?: unknown; message?: unknown }[]) : []) {
    const path = Array.isArray(issue.path) ? issue.path.map(String) : [];
    const message = String(issue.message ?? '');
    // grow/shrink are typed into the `n` field.
    const field = path[0] === 'grow' || path[0] === 'shrink' ? 'n' : path[0];
    if (field && fields.some((f) => f.name === field)) fieldErrors[field] = message;
    else rest.push(path.length ? `${path.join('.')}: ${message}` : message);
  }
  return { fieldErrors, rest: rest.length ? rest.join('; ') : null };
}

function Replies({ replies }: { replies: WorkerReplyInfo[] }) {
  return (
    <ul aria-live="polite" data-testid="worker-command-replies" className="space-y-1 text-sm">
      {replies.map((r, i) => (
        <li key={i} className={r.error ? 'text-red-700 dark:text-red-400' : r.answered ? 'text-emerald-700 dark:text-emerald-400' : 'text-amber-700 dark:text-amber-400'}>
          <span className="font-mono">{r.command}</span>: {r.error ?? r.ok ?? (r.answered ? 'done' : 'the worker did not answer in time')}
        </li>
      ))}
    </ul>
  );
}

function CommandDialog({ workerId, workerName, action, onClose }: { workerId: string; workerName: string; action: Action; onClose: () => void }) {
  const mutation = useWorkerCommand(workerId);
  const formId = useId();
  const [values, setValues] = useState<Record<string, string>>((): Record<string, string> => (action.fields.some((f) => f.name === 'n') ? { n: '1' } : {}));
  const serverError = mutation.error && isApiError(mutation.error) ? mutation.error : null;
  const { fieldErrors, rest } = splitIssues(serverError?.details, action.fields);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = action.body(values);
    mutation.mutate({ command: action.command, body });
  };
  return (
    <Dialog
      title={`${action.title}: ${workerName}`}
      onClose={onClose}
      busy={mutation.isPending}
      testId="worker-command-dialog"
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose} disabled={mutation.isPending}>
            {mutation.isSuccess ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" variant={action.danger ? 'danger' : 'primary'} disabled={mutation.isPending} data-testid="worker-command-submit">
            {mutation.isPending ? 'Sending…' : action.button}
          </Button>
        </>
      }
    >
      {action.danger ? <p className="text-sm">It takes nothing new, lets running tasks finish and exits. Only a supervisor brings it back.</p> : null}
      {action.fields.map((field) => {
        const id = `${formId}-${field.name}`;
        const error = fieldErrors[field.name];
        return (
          <Field key={field.name} id={id} name={field.name} label={field.label} hint={field.hint} error={error}>
            <Input
              id={id}
              type={field.type ?? 'text'}
              inputMode={field.type === 'number' ? 'decimal' : undefined}
              mono={field.type !== 'number'}
              placeholder={field.placeholder}
              value={values[field.name] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
              {...errorProps(id, error)}
            />
          </Field>
        );
      })}
      {serverError && (rest || Object.keys(fieldErrors).length === 0) ? (
        <p aria-live="polite" className="text-sm text-red-700 dark:text-red-400">
          {rest ?? serverError.message}
        </p>
      ) : null}
      {mutation.error && !serverError ? <p className="text-sm text-red-700 dark:text-red-400">{mutation.error.message}</p> : null}
      {mutation.data ? <Replies replies={mutation.data.replies} /> : null}
    </Dialog>
  );
}

/** Why a stale worker's controls are off: it sends no heartbeat, so it would not answer either. */
export const STALE_CONTROLS_REASON = 'No heartbeat for three intervals: a command to this worker cannot be answered, so its controls are off until it is heard from again.';

export function WorkerControls({ workerId, workerName, stale = false }: { workerId: string; workerName: string; stale?: boolean }) {
  const [open, setOpen] = useState<string | null>(null);
  const reasonId = useId();
  const buttons: [string, string][] = [
    ['grow', 'Grow'],
    ['shrink', 'Shrink'],
    ['autoscale', 'Autoscale'],
    ['rate', 'Rate limit'],
    ['time', 'Time limit'],
    ['addConsumer', 'Add consumer'],
    ['cancelConsumer', 'Cancel consumer'],
  ];
  return (
    <div className="space-y-1.5">
      {stale ? (
        <p id={reasonId} className="text-xs text-red-700 dark:text-red-400" data-testid="worker-controls-disabled-reason">
          {STALE_CONTROLS_REASON}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-1.5" data-testid="worker-controls">
        {buttons.map(([key, label]) => (
          <Button key={key} size="sm" onClick={() => setOpen(key)} disabled={stale} aria-describedby={stale ? reasonId : undefined} data-testid={`worker-control-${key}`}>
            {label}
          </Button>
        ))}
        <Button size="sm" variant="dangerOutline" onClick={() => setOpen('shutdown')} disabled={stale} aria-describedby={stale ? reasonId : undefined} data-testid="worker-control-shutdown">
          Shut down
        </Button>
      </div>
      {open && !stale ? <CommandDialog workerId={workerId} workerName={workerName} action={ACTIONS[open]!} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}
