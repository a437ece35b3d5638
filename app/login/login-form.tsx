'use client';

import { useState, type FormEvent } from 'react';
import { isApiError, postJson, setCsrfToken } from '@/lib/client/api';

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

const inputClass =
  'w-full rounded border border-slate-300 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-900 aria-[invalid=true]:border-red-600';

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
      <div>
        <label htmlFor="username" className="mb-1 block text-sm font-medium">
          User name
        </label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          autoFocus
          className={inputClass}
          aria-invalid={errors.username ? true : undefined}
          aria-describedby="username-error"
        />
        <p id="username-error" aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700 dark:text-red-400">
          {errors.username}
        </p>
      </div>
      <div>
        <label htmlFor="password" className="mb-1 block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          className={inputClass}
          aria-invalid={errors.password ? true : undefined}
          aria-describedby="password-error"
        />
        <p id="password-error" aria-live="polite" className="mt-1 min-h-5 text-sm text-red-700 dark:text-red-400">
          {errors.password}
        </p>
      </div>
      <p id="login-form-error" role="alert" aria-live="assertive" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {errors.form}
      </p>
      <button
        type="submit"
        disabled={busy}
        className="w-full rounded bg-slate-900 px-3 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300"
      >
        {busy ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
