'use client';

import { useState } from 'react';
import { useAlertsConfig, useSaveAlertsConfig, useTestWebhooks } from '@/lib/client/alerts';
import { AlertsConfigInputSchema, MAX_WEBHOOKS, type AlertsConfigInput, type AlertsConfigView, type WebhookFormat } from '@/lib/shared/alerts';
import { Button } from '../ui/button';
import { Field, errorProps } from '../ui/field';
import { Input } from '../ui/input';
import { Select } from '../ui/select';

interface Row {
  url: string;
  format: WebhookFormat;
  /** Typed here: sets a new secret. Empty: keep the saved one (if any). */
  secret: string;
  hasSecret: boolean;
  removeSecret: boolean;
}

const rowsOf = (view: AlertsConfigView): Row[] => view.webhooks.map((w) => ({ url: w.url, format: w.format, secret: '', hasSecret: w.hasSecret, removeSecret: false }));

function toInput(rows: Row[]): AlertsConfigInput {
  return {
    webhooks: rows.map((row) => ({
      url: row.url.trim(),
      format: row.format,
      ...(row.secret ? { secret: row.secret } : row.removeSecret ? { secret: null } : {}),
    })),
  };
}

/** Errors per `<row>.<field>` (and `form`), from the same schema the server checks. */
function validate(input: AlertsConfigInput): Record<string, string> {
  const result = AlertsConfigInputSchema.safeParse(input);
  if (result.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const [, index, field] = issue.path;
    const key = typeof index === 'number' && typeof field === 'string' ? `${index}.${field}` : 'form';
    errors[key] ??= issue.message;
  }
  return errors;
}

function TestButton() {
  const test = useTestWebhooks();
  return (
    <div className="space-y-2">
      <Button onClick={() => test.mutate()} disabled={test.isPending} data-testid="alerts-send-test">
        {test.isPending ? 'Sending…' : 'Send test'}
      </Button>
      <div aria-live="polite" data-testid="alerts-test-results">
        {test.isError ? <p className="text-sm text-red-700 dark:text-red-400">{test.error.message}</p> : null}
        {test.data && test.data.results.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">No webhook is configured: nothing was sent.</p> : null}
        {test.data && test.data.results.length > 0 ? (
          <ul className="space-y-1 text-sm">
            {test.data.results.map((r) => (
              <li key={r.url} className="break-words" data-testid="alerts-test-result">
                <span className={r.ok ? 'font-semibold text-emerald-800 dark:text-emerald-300' : 'font-semibold text-red-800 dark:text-red-300'}>{r.ok ? 'delivered' : 'failed'}</span>{' '}
                <span className="break-all">{r.url}</span> ({r.format}) · {r.status ? `HTTP ${r.status}` : r.error} · {r.ms} ms
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

/** The admin's editor, built once the saved settings are loaded (its rows start from them). */
function WebhookForm({ initial }: { initial: AlertsConfigView }) {
  const save = useSaveAlertsConfig();
  const [rows, setRows] = useState<Row[]>(() => rowsOf(initial));
  const [errors, setErrors] = useState<Record<string, string>>({});

  const update = (index: number, patch: Partial<Row>) => setRows((current) => current.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const input = toInput(rows);
    const found = validate(input);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    save.mutate(input, { onSuccess: (saved) => setRows(rowsOf(saved)) });
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-3">
      {rows.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">No webhook yet: add one to be notified.</p> : null}
      {rows.map((row, index) => (
        <fieldset key={index} className="grid gap-2 rounded-md border border-slate-200 p-3 sm:grid-cols-[1fr_8rem_1fr_auto] dark:border-slate-700" data-testid="webhook-row">
          <legend className="sr-only">Webhook {index + 1}</legend>
          <Field id={`webhook-${index}-url`} name={`url-${index}`} label="URL" error={errors[`${index}.url`]}>
            <Input id={`webhook-${index}-url`} mono value={row.url} placeholder="https://hooks.slack.com/services/…" onChange={(e) => update(index, { url: e.target.value })} {...errorProps(`webhook-${index}-url`, errors[`${index}.url`])} />
          </Field>
          <Field id={`webhook-${index}-format`} label="Format" error={errors[`${index}.format`]}>
            <Select id={`webhook-${index}-format`} value={row.format} onChange={(e) => update(index, { format: e.target.value as WebhookFormat })}>
              <option value="json">JSON</option>
              <option value="slack">Slack</option>
            </Select>
          </Field>
          <Field
            id={`webhook-${index}-secret`}
            name={`secret-${index}`}
            label="Signing secret"
            hint={row.hasSecret ? 'A secret is set: leave empty to keep it.' : 'Optional, at least 16 characters.'}
            error={errors[`${index}.secret`]}
          >
            <Input id={`webhook-${index}-secret`} type="password" autoComplete="new-password" value={row.secret} placeholder={row.hasSecret ? '•••••••• (set)' : ''} onChange={(e) => update(index, { secret: e.target.value })} {...errorProps(`webhook-${index}-secret`, errors[`${index}.secret`])} />
            {row.hasSecret ? (
              <label className="flex items-center gap-1.5 text-xs text-slate-700 dark:text-slate-300">
                <input type="checkbox" checked={row.removeSecret} onChange={(e) => update(index, { removeSecret: e.target.checked })} /> remove the secret
              </label>
            ) : null}
          </Field>
          <div className="sm:pt-6">
            <Button size="sm" variant="dangerOutline" onClick={() => setRows(rows.filter((_, i) => i !== index))} aria-label={`Remove webhook ${index + 1}`}>
              Remove
            </Button>
          </div>
        </fieldset>
      ))}
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => setRows([...rows, { url: '', format: 'json', secret: '', hasSecret: false, removeSecret: false }])} disabled={rows.length >= MAX_WEBHOOKS}>
          Add webhook
        </Button>
        <Button type="submit" variant="primary" disabled={save.isPending} data-testid="webhooks-save">
          {save.isPending ? 'Saving…' : 'Save webhooks'}
        </Button>
        <span aria-live="polite" className="text-sm" data-testid="webhooks-save-status">
          {errors.form ? <span className="text-red-700 dark:text-red-400">{errors.form}</span> : null}
          {save.isError ? <span className="text-red-700 dark:text-red-400">{save.error.message}</span> : null}
          {save.isSuccess && Object.keys(errors).length === 0 ? <span className="text-emerald-800 dark:text-emerald-300">Saved.</span> : null}
        </span>
      </div>
    </form>
  );
}

/** Where notifications go. Admins edit; operators may send a test to check the path. */
export function WebhookSettings({ canEdit }: { canEdit: boolean }) {
  const config = useAlertsConfig(canEdit);
  return (
    <section aria-labelledby="webhooks-title" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900" data-testid="webhook-settings">
      <div>
        <h2 id="webhooks-title" className="text-base font-semibold">Webhooks</h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Each alert is sent once when it starts and once when it ends, retried with backoff while a receiver fails. With a secret, requests carry{' '}
          <code className="font-mono text-xs">X-Triage-Signature: sha256=HMAC(secret, timestamp.body)</code>.
        </p>
      </div>
      {!canEdit ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">Admins set the webhooks; you can send a test to each of them.</p>
      ) : config.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">Cannot load the webhook settings: {config.error.message}</p>
      ) : config.data ? (
        <WebhookForm initial={config.data} />
      ) : (
        <div aria-busy aria-label="Loading webhooks" className="h-16 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      )}
      <TestButton />
    </section>
  );
}
