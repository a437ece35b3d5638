'use client';

import { useState } from 'react';
import { sendJson } from '@/lib/client/api';
import { Button } from './ui/button';

/** The signed-in user's name and role, and the logout control (header, right-hand side). */
export function UserMenu({ name, role }: { name: string; role: string }) {
  const [busy, setBusy] = useState(false);
  async function logout() {
    setBusy(true);
    try {
      await sendJson('POST', '/api/v1/auth/logout');
    } finally {
      // Even if the request failed, the login page is the right place to be now.
      // A full load, not router.push: it drops every cached query of the old session.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign('/login');
    }
  }
  return (
    <div className="ml-auto flex min-w-0 items-center gap-3 text-sm" data-testid="user-menu">
      {/* A long user name is cut short (whole in its tooltip) rather than pushing the header onto two lines. */}
      <span className="flex min-w-0 items-center gap-1.5">
        <span className="max-w-28 truncate font-medium sm:max-w-40" data-testid="user-name" title={`${name} · ${role}`}>
          {name}
        </span>
        <span className="hidden shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-xs sm:inline text-slate-700 dark:bg-slate-800 dark:text-slate-300" data-testid="user-role">
          {role}
        </span>
      </span>
      <Button onClick={() => void logout()} disabled={busy} className="shrink-0 whitespace-nowrap">
        Log out
      </Button>
    </div>
  );
}
