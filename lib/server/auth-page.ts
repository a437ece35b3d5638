import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { authStore, type Role } from './auth';
import { readSession } from './session';
import { PATH_HEADER, SESSION_COOKIE } from './session-cookie';

export interface PageUser {
  name: string;
  role: Role;
}

/** Only local paths: `next=//evil.example` or `next=https://...` must not leave Triage. */
export function safeNextPath(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
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
  const path = (await headers()).get(PATH_HEADER) ?? '/';
  const user = await pageUser();
  if (path === '/login' || path.startsWith('/login?')) return user;
  if (!user) redirect(`/login?next=${encodeURIComponent(safeNextPath(path))}`);
  return user;
}
