import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { Role } from '@/lib/shared/roles';
import { authStore } from './auth';
import { readSession } from './session';
import { PATH_HEADER, readStamped } from './internal-headers';
import { SESSION_COOKIE } from './session-cookie';

export interface PageUser {
  name: string;
  role: Role;
}

// Any origin works for resolving: only whether the result stays on it matters.
const BASE = 'http://triage.invalid';

/**
 * Only paths on this origin: `next=//evil.example`, `https://...`, `/\t/evil.example` (browsers
 * drop tabs and newlines from URLs) or `/.//evil.example` (which resolves to `//evil.example`)
 * must not leave Triage. Returns the resolved path, or `/`.
 */
export function safeNextPath(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return '/';
  }
  const path = url.pathname + url.search + url.hash;
  return url.origin === BASE && !path.startsWith('//') ? path : '/';
}

/** The session's user for a server-rendered page, or null. */
export async function pageUser(): Promise<PageUser | null> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!value) return null;
  try {
    const session = await readSession(await authStore(), value);
    return session ? { name: session.user.name, role: session.user.role } : null;
  } catch {
    // State Redis down: the page's own API calls will say so; treat as signed out meanwhile.
    return null;
  }
}

/**
 * For the root layout: every page but /login needs a session; without one the visitor goes to
 * /login and comes back afterwards. Returns null on /login itself.
 */
export async function requirePageUser(): Promise<PageUser | null> {
  // Set by proxy.ts; a copy the client sent is ignored, so it cannot claim to be on /login.
  const path = readStamped(await headers(), PATH_HEADER) ?? '/';
  const user = await pageUser();
  if (path === '/login' || path.startsWith('/login?')) return user;
  if (!user) redirect(`/login?next=${encodeURIComponent(safeNextPath(path))}`);
  return user;
}
