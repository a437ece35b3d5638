import { TriageError } from '@/lib/shared/errors';
import type { Role } from '@/lib/shared/roles';
import type { AuthStore } from '@/lib/state/auth-store';
import { withState } from './auth-store';
import { checkCsrfToken, checkOrigin, isMutation } from './csrf';
import { runtime } from './runtime';
import { SESSION_COOKIE, parseCookies, readSession } from './session';
import { findToken } from './tokens';


export interface Actor {
  /** A user name or a token name: what the audit log records. */
  name: string;
  role: Role;
  via: 'session' | 'token';
  /** Cookie sessions only. */
  session?: { id: string; csrfToken: string };
}

/** Waits for the state Redis's first connection attempt (a fresh server's first request). */
export async function authStore(): Promise<AuthStore> {
  const rt = runtime();
  await rt.ready;
  return rt.state.auth;
}

/**
 * Who is calling: `Authorization: Bearer <token>` (an API token or TRIAGE_ADMIN_TOKEN) or the
 * session cookie. An Authorization header that does not verify is refused even when a cookie
 * is present, so a script never silently runs as whoever is logged in in the same browser.
 * Throws UNAUTHENTICATED (401).
 */
export async function authenticate(request: Request, options: CheckOptions = {}): Promise<Actor> {
  return withState(() => authenticateWith(request, options));
}

interface CheckOptions {
  /**
   * false: check only, as an open event stream does every few seconds; it neither keeps the
   * session from idling out nor counts as a use of the token.
   */
  touch?: boolean;
}

async function authenticateWith(request: Request, options: CheckOptions): Promise<Actor> {
  const store = await authStore();
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new TriageError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    const token = await findToken(store, match[1]!, options);
    if (!token) throw new TriageError('UNAUTHENTICATED', 'unknown or revoked API token');
    return { name: token.name, role: token.role, via: 'token' };
  }
  const cookie = parseCookies(request.headers.get('cookie')).get(SESSION_COOKIE);
  if (cookie) {
    const session = await readSession(store, cookie, options);
    if (session) {
      return { name: session.user.name, role: session.user.role, via: 'session', session: { id: session.id, csrfToken: session.record.csrf } };
    }
    throw new TriageError('UNAUTHENTICATED', 'your session has ended; log in again');
  }
  throw new TriageError('UNAUTHENTICATED', 'log in, or send "Authorization: Bearer <token>"');
}

/** CSRF defence for cookie-authenticated mutations (see csrf.ts); a no-op for tokens and reads. */
export function checkCsrf(request: Request, actor: Actor): void {
  if (actor.via !== 'session' || !actor.session || !isMutation(request.method)) return;
  checkOrigin(request, runtime().config.auth.trustProxy);
  checkCsrfToken(request, actor.session.csrfToken);
}

/**
 * For `/metrics` (a later issue): open when `auth.metricsPublic` is set, else any valid token
 * or session. Throws UNAUTHENTICATED.
 */
export async function authenticateMetrics(request: Request): Promise<Actor | null> {
  if (runtime().config.auth.metricsPublic) return null;
  return authenticate(request);
}

/**
 * The caller when the request carries credentials that verify; null when it carries none, or
 * ones that do not verify or cannot be checked now. For public routes that tell signed-in
 * callers more, never for access control.
 */
export async function authenticateOptional(request: Request): Promise<Actor | null> {
  const hasCredentials = request.headers.has('authorization') || parseCookies(request.headers.get('cookie')).has(SESSION_COOKIE);
  if (!hasCredentials) return null;
  // Only to decide how much to tell: a health probe neither renews a session nor marks a token used.
  return authenticate(request, { touch: false }).catch(() => null);
}
