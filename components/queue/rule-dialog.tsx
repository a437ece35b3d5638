'use client';

import Link from 'next/link';
import { useId, useState } from 'react';
import { useCreateRule, useRulePreview } from '@/lib/client/rules';
import type { BrowseFilters } from '@/lib/client/queue-selection';
import { describeAction, type NewRule, type RuleAction, type RuleMatch } from '@/lib/shared/rules';
import { parsePriorityFilter, type Queue } from '@/lib/shared/types';
import { formatClock } from '@/lib/client/time-format';
import { formatCount } from '../format';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Input } from '../ui/input';
import { PrioritySelect } from '../ui/priority-select';
import { Select } from '../ui/select';

type ActionKind = 'priority' | 'move' | 'park' | 'delete';

const LIFETIMES = [
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 120, label: '2 hours' },
  { minutes: 240, label: '4 hours' },
  { minutes: 480, label: '8 hours' },
  { minutes: 1440, label: '24 hours (the most)' },
];

/** An expiry `minutes` from now, when the operator confirms (not when the dialog opened). */
function expiryIn(minutes: number): string {
  return new Date(Date.now() + minutes * 60_000).toISOString();
}

/** The queue filter as a rule's match: the browser's text search (and id) is the rule's text. */
export function ruleMatchOf(filters: BrowseFilters): RuleMatch {
  const priorities = parsePriorityFilter(filters.priority || undefined);
  const text = filters.q || filters.id;
  return {
    ...(filters.task ? { task: filters.task } : {}),
    ...(text ? { text } : {}),
    ...(priorities ? { priorities: [...priorities].sort((a, b) => a - b) } : {}),
  };
}

function describeMatch(match: RuleMatch): string {
  const parts = [
    match.task ? `task name contains “${match.task}”` : null,
    match.text ? `id, name or args contain “${match.text}”` : null,
    match.priorities ? `priority ${match.priorities.map((p) => `P${p}`).join(', ')}` : null,
  ].filter(Boolean);
  return parts.join(' and ');
}

/**
 * "Apply to arriving tasks too": a standing rule from the queue's current filter, shown with
 * its preview (how many wait now, how many arrived per minute lately) before it is made.
 */
export function RuleDialog({ queue, filters, onClose }: { queue: Queue; filters: BrowseFilters; onClose: () => void }) {
  const id = useId();
  const match = ruleMatchOf(filters);
  const [kind, setKind] = useState<ActionKind>('priority');
  const [priority, setPriority] = useState<number | null>(null);
  const [moveTo, setMoveTo] = useState('');
  const [minutes, setMinutes] = useState(60);
  const [note, setNote] = useState('');
  // Fixed when the dialog opens, so the preview is not re-asked on every render.
  const [openedAt] = useState(() => Date.now());
  const action: RuleAction | null =
    kind === 'priority' ? (priority === null ? null : { priority }) : kind === 'move' ? (moveTo.trim() ? { moveTo: { broker: queue.broker, queue: moveTo.trim() } } : null) : kind === 'park' ? { park: true } : { delete: true };
  const body: Omit<NewRule, 'dryRun'> | null = action
    ? { broker: queue.broker, queue: queue.name, match, action, expiresAt: new Date(openedAt + minutes * 60_000).toISOString(), ...(note.trim() ? { note: note.trim() } : {}) }
    : null;
  const preview = useRulePreview(body ? { ...body, note: undefined, expiresAt: new Date(openedAt + 60_000).toISOString() } : null);
  const create = useCreateRule();
  const busy = create.isPending;
  return (
    <Dialog
      title="Apply to arriving tasks too"
      testId="rule-dialog"
      busy={busy}
      onClose={onClose}
      onSubmit={(event) => {
        event.preventDefault();
        if (body && !create.isSuccess) create.mutate({ ...body, expiresAt: expiryIn(minutes) });
      }}
      footer={
        create.isSuccess ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" variant={kind === 'delete' ? 'danger' : 'primary'} disabled={!body || busy || preview.isError}>
              Create rule
            </Button>
          </>
        )
      }
    >
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Every task that arrives in <span className="font-mono">{queue.name}</span> from now on and matches{' '}
        <strong data-testid="rule-match">{describeMatch(match) || 'anything'}</strong> gets the action below within 2 seconds of arriving, until the
        rule expires. Tasks already waiting are not changed: use Reprioritize or Move for those.
      </p>
      <Field id={`${id}-action`} label="Action">
        <Select id={`${id}-action`} value={kind} onChange={(event) => setKind(event.target.value as ActionKind)}>
          <option value="priority">Set priority</option>
          <option value="move">Move to another queue</option>
          <option value="park">Park (hold in {queue.name}.drained)</option>
          <option value="delete">Delete (archived 24 h)</option>
        </Select>
      </Field>
      {kind === 'priority' ? (
        <Field id={`${id}-priority`} label="New priority">
          <PrioritySelect id={`${id}-priority`} value={priority} onChange={setPriority} placeholder="Choose a priority…" block />
        </Field>
      ) : null}
      {kind === 'move' ? (
        <Field id={`${id}-move`} label={`Target queue on ${queue.broker}`}>
          <Input id={`${id}-move`} value={moveTo} onChange={(event) => setMoveTo(event.target.value)} mono spellCheck={false} placeholder="low_priority" />
        </Field>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={`${id}-expires`} label="Expires after">
          <Select id={`${id}-expires`} value={minutes} onChange={(event) => setMinutes(Number(event.target.value))}>
            {LIFETIMES.map((l) => (
              <option key={l.minutes} value={l.minutes}>
                {l.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field id={`${id}-note`} label="Note (optional)">
          <Input id={`${id}-note`} value={note} onChange={(event) => setNote(event.target.value)} maxLength={500} placeholder="incident #123" />
        </Field>
      </div>
      <div role="status" aria-live="polite" data-testid="rule-preview" className="rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/50 dark:text-sky-200">
        {!body
          ? 'Choose the action to see how many tasks it concerns.'
          : preview.isError
            ? preview.error.message
            : preview.data
              ? `${preview.data.matchingNowPartial ? 'At least ' : ''}${formatCount(preview.data.matchingNow)} waiting now match (not changed). In the last 15 minutes about ${preview.data.matchingPerMin} matching tasks arrived per minute: that is what the rule would ${describeAction(body.action).toLowerCase()}.`
              : 'Counting…'}
      </div>
      {create.isError ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {create.error.message}
        </p>
      ) : null}
      {create.isSuccess ? (
        <p role="status" data-testid="rule-created" className="text-sm text-emerald-800 dark:text-emerald-300">
          Rule created: it applies to arriving tasks until {formatClock(create.data.rule.expiresAt)}.{' '}
          <Link href="/rules" className="underline">
            See rules
          </Link>
        </p>
      ) : null}
    </Dialog>
  );
}
