'use client';

import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { isApiError } from '@/lib/client/api';
import { useMe } from '@/lib/client/me';
import { useReplaceSlos, useSlos } from '@/lib/client/slos';
import { formatAge } from '@/lib/client/time-format';
import { useNow } from '@/lib/client/use-now';
import { SloSchema, type Slo, type SloView } from '@/lib/shared/slos';
import { ErrorPanel } from '../state-panels';
import { queueHref } from '../queue/queue-href';
import { Button } from '../ui/button';
import { Field, errorProps } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';
import { STATE_CHIP, STATE_LABEL, heldFor, scopeLabel } from './slo-text';

const cell = 'px-3 py-2 align-top';

function definition({ id, broker, queue, band, priorities, maxWaitSec }: SloView): Slo {
  return { id, broker, queue, maxWaitSec, ...(band ? { band } : { priorities: priorities! }) };
}

/** The SLO's states: one per queue it covers (a pattern covers several). */
function States({ slo, now }: { slo: SloView; now: number }) {
  const { data } = useSlos();
  const states = (data?.states ?? []).filter((s) => s.sloId === slo.id);
  if (states.length === 0) return <span className="text-slate-500 dark:text-slate-400">not judged yet</span>;
  return (
    <ul className="space-y-0.5">
      {states.map((s) => (
        <li key={`${s.broker}/${s.queue}`} className="flex flex-wrap items-center gap-1.5 tabular-nums" data-testid={`slo-state-${slo.id}-${s.queue}`} data-state={s.state}>
          <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${STATE_CHIP[s.state]}`}>{STATE_LABEL[s.state]}</span>
          {states.length > 1 || s.queue !== slo.queue ? (
            <Link href={queueHref(s.broker, s.queue)} className="font-mono text-xs text-sky-800 hover:underline dark:text-sky-300">
              {s.queue}
            </Link>
          ) : null}
          <span className="text-xs text-slate-600 dark:text-slate-400">
            {s.worstWaitSec === null ? 'nothing waiting' : `worst ${formatAge(s.worstWaitSec)}`} · for {heldFor(s, now)}
          </span>
        </li>
      ))}
    </ul>
  );
}

const EMPTY = { id: '', broker: '', queue: '', scope: 'high', priorities: '', maxWaitSec: '30' };

/** The admin's form: one new SLO, validated here with the server's schema, then sent with the other edited ones. */
function AddSlo({ edited, brokers }: { edited: Slo[]; brokers: string[] }) {
  const replace = useReplaceSlos();
  const [form, setForm] = useState({ ...EMPTY, broker: brokers[0] ?? '' });
  // Per field ("id", "queue", "maxWaitSec", …), next to it; `form` for what names no field.
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (field: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [field]: e.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const candidate = {
      id: form.id.trim(),
      broker: form.broker.trim(),
      queue: form.queue.trim(),
      ...(form.scope === 'priorities'
        ? { priorities: form.priorities.split(/[\s,]+/).filter(Boolean).map(Number) }
        : { band: form.scope as 'high' | 'medium' | 'low' }),
      maxWaitSec: Number(form.maxWaitSec),
    };
    const parsed = SloSchema.safeParse(candidate);
    if (!parsed.success) {
      const found: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === 'band' ? 'scope' : String(issue.path[0] ?? 'form');
        found[field] ??= issue.message;
      }
      setErrors(found);
      return;
    }
    setErrors({});
    replace.mutate([...edited, parsed.data], {
      onSuccess: () => setForm({ ...EMPTY, broker: form.broker }),
      onError: (err) => {
        // The server names the field as slos.<i>.<field>; the new SLO is the last one.
        const path = isApiError(err) ? (err.details as { path?: unknown[] } | undefined)?.path : undefined;
        const field = Array.isArray(path) && path.length >= 3 ? String(path[2]) : 'form';
        setErrors({ [field === 'band' ? 'scope' : field]: isApiError(err) ? err.message : String(err) });
      },
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-labelledby="add-slo-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="add-slo-heading" className="font-semibold">
        Add an SLO
      </h2>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
        <Field id="slo-id" name="id" error={errors.id} label="Id">
          <Input id="slo-id" {...errorProps('slo-id', errors.id)} value={form.id} onChange={set('id')} mono placeholder="reports-high" required />
        </Field>
        <Field id="slo-broker" name="broker" error={errors.broker} label="Broker">
          <Select id="slo-broker" {...errorProps('slo-broker', errors.broker)} value={form.broker} onChange={set('broker')}>
            {brokers.map((b) => (
              <option key={b}>{b}</option>
            ))}
          </Select>
        </Field>
        <Field id="slo-queue" name="queue" error={errors.queue} label="Queue" hint="a name, or a pattern with *">
          <Input id="slo-queue" {...errorProps('slo-queue', errors.queue)} value={form.queue} onChange={set('queue')} mono placeholder="celery" required />
        </Field>
        <Field id="slo-scope" name="scope" error={errors.scope} label="Priorities">
          <Select id="slo-scope" {...errorProps('slo-scope', errors.scope)} value={form.scope} onChange={set('scope')}>
            <option value="high">high band (P0–2)</option>
            <option value="medium">medium band (P3–5)</option>
            <option value="low">low band (P6–9)</option>
            <option value="priorities">a list…</option>
          </Select>
        </Field>
        {form.scope === 'priorities' ? (
          <Field id="slo-priorities" name="priorities" error={errors.priorities} label="Listed priorities" hint="e.g. 0, 1">
            <Input id="slo-priorities" {...errorProps('slo-priorities', errors.priorities)} value={form.priorities} onChange={set('priorities')} inputMode="numeric" />
          </Field>
        ) : null}
        <Field id="slo-max" name="maxWaitSec" error={errors.maxWaitSec} label="Start within (seconds)">
          <Input id="slo-max" {...errorProps('slo-max', errors.maxWaitSec)} type="number" min={1} value={form.maxWaitSec} onChange={set('maxWaitSec')} required />
        </Field>
      </div>
      <p aria-live="polite" data-testid="slo-form-error" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {errors.form}
      </p>
      <Button type="submit" variant="primary" disabled={replace.isPending}>
        {replace.isPending ? 'Saving…' : 'Add SLO'}
      </Button>
    </form>
  );
}

/** Every SLO with its states; admins add and remove the edited ones, the config file's are read-only. */
export function SloEditor({ brokers }: { brokers: string[] }) {
  const { data, error, refetch, isPending } = useSlos();
  const { can } = useMe();
  const replace = useReplaceSlos();
  const now = useNow(1_000);
  const admin = can('admin');
  if (error && !data) return <ErrorPanel title="Could not load SLOs" message={error.message} onRetry={() => void refetch()} />;
  if (isPending) return <p className="text-slate-500">Loading…</p>;
  const slos = data?.slos ?? [];
  const edited = slos.filter((s) => s.source === 'edited').map(definition);

  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        How long tasks of a queue&apos;s band may wait before they start. Judged every few seconds, once for the whole deployment, from the oldest waiting task and the p95 wait of
        the last 15 minutes: <em>at risk</em> from 80% of the maximum, <em>breached</em> beyond it. A breached high band (P0–2) shows a banner on every page.
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm" data-testid="slo-table">
          <thead className="bg-slate-50 text-left text-xs text-slate-600 uppercase dark:bg-slate-800/50 dark:text-slate-400">
            <tr>
              <th className={cell}>SLO</th>
              <th className={cell}>Queue</th>
              <th className={cell}>Priorities</th>
              <th className={cell}>Start within</th>
              <th className={cell}>State</th>
              <th className={cell}>Source</th>
            </tr>
          </thead>
          <tbody>
            {slos.length === 0 ? (
              <tr>
                <td colSpan={6} className={`${cell} text-slate-500`}>
                  No SLOs yet. {admin ? 'Add one below, or list them under "slos" in the config file.' : 'An admin can add them.'}
                </td>
              </tr>
            ) : null}
            {slos.map((slo) => (
              <tr key={slo.id} data-testid={`slo-row-${slo.id}`} className="border-t border-slate-200 dark:border-slate-800">
                <td className={`${cell} font-mono`}>{slo.id}</td>
                <td className={cell}>
                  <span className="font-mono">{slo.queue}</span> <span className="text-xs text-slate-500 dark:text-slate-400">{slo.broker}</span>
                </td>
                <td className={`${cell} whitespace-nowrap`}>{slo.band ? `${slo.band} (${scopeLabel(slo.band)})` : `P${slo.priorities!.join(', ')}`}</td>
                <td className={`${cell} tabular-nums`}>{formatAge(slo.maxWaitSec)}</td>
                <td className={cell}>
                  <States slo={slo} now={now} />
                </td>
                <td className={`${cell} whitespace-nowrap`}>
                  {slo.source === 'config' ? (
                    <span className="text-xs text-slate-500 dark:text-slate-400" title="defined in the config file: change it there">
                      config file · read-only
                    </span>
                  ) : admin ? (
                    <Button
                      size="sm"
                      variant="dangerOutline"
                      disabled={replace.isPending}
                      aria-label={`Remove SLO ${slo.id}`}
                      onClick={() => replace.mutate(edited.filter((s) => s.id !== slo.id))}
                    >
                      Remove
                    </Button>
                  ) : (
                    <span className="text-xs text-slate-500 dark:text-slate-400">edited by an admin</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {replace.error ? <p className="text-sm text-red-700 dark:text-red-400">{replace.error.message}</p> : null}
      {admin ? <AddSlo edited={edited} brokers={brokers} /> : <p className="text-sm text-slate-600 dark:text-slate-400">Only admins can add or remove SLOs.</p>}
    </div>
  );
}
