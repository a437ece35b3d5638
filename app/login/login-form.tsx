'use client';

import { useState, type FormEvent } from 'react';
import { isApiError, postJson, setCsrfToken } from '@/lib/client/api';
import { Button } from '@/components/ui/button';
import { Field, errorId } from '@/components/ui/field';
import { Input } from '@/components/ui/input';

interface FieldErrors {
  username?: string;
  password?: string;
  form?: string;
}

function fieldErrors(details: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!Array.isArray(details)) return out;
  for (const d of details as { path?: unknown[]; message?: string }[]) {
    const field = d.path?.[0];
    if ((field === 'username' || field === 'password') && !out[field]) out[field] = d.message;
  }
  return out;
}

/** The two fields, in order; each id is also the form field's name and its error's key. */
const FIELDS = [
  { id: 'username', label: 'User name', type: 'text', autoComplete: 'username' },
  { id: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
] as const;

export function LoginForm({ next }: { next: string }) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const local: FieldErrors = {};
    if (!username) local.username = 'Enter your user name';
    if (!password) local.password = 'Enter your password';
    setErrors(local);
    if (local.username || local.password) return;
    setBusy(true);
    try {
      const res = await postJson<{ csrfToken: string }>('/api/v1/auth/login', { username, password });
      setCsrfToken(res.csrfToken);
      // A full navigation, so the server renders the header with the signed-in user.
      window.location.assign(next);
    } catch (error) {
      setBusy(false);
      if (!isApiError(error)) setErrors({ form: 'Something went wrong; try again' });
      else if (error.status === 400) setErrors({ ...fieldErrors(error.details), form: fieldErrors(error.details).username ? undefined : error.message });
      else if (error.status === 429) setErrors({ form: `Too many failed attempts. ${error.message}` });
      else if (error.status === 401) setErrors({ password: 'Wrong user name or password' });
      else setErrors({ form: error.message });
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="space-y-4" aria-describedby="login-form-error">
      {FIELDS.map(({ id, label, type, autoComplete }) => (
        <Field key={id} id={id} name={id} label={label} error={errors[id]} reserveErrorSpace>
          <Input
            id={id}
            name={id}
            type={type}
            autoComplete={autoComplete}
            // The first field takes the cursor: the page has one job.
            autoFocus={id === 'username'}
            aria-invalid={errors[id] ? true : undefined}
            // Always described by its error line, which is always there (empty until needed).
            aria-describedby={errorId(id)}
          />
        </Field>
      ))}
      <p id="login-form-error" role="alert" aria-live="assertive" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {errors.form}
      </p>
      <Button type="submit" variant="primary" disabled={busy} className="w-full justify-center">
        {busy ? 'Logging in…' : 'Log in'}
      </Button>
    </form>
  );
}
