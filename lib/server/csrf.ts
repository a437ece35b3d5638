import { timingSafeEqual } from 'node:crypto';
import { TriageError } from '@/lib/shared/errors';

/**
 * Cookie-authenticated mutations must prove they come from Triage's own pages: the Origin
 * (or, without one, the Referer) must be this host, and the `X-CSRF-Token` header must carry
 * the session's synchronizer token. Bearer-token requests skip both: browsers never attach
 * those on their own.
 */

export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isMutation(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The host the browser addressed: Host, or X-Forwarded-Host behind a trusted proxy. */
export function requestHost(request: Request, trustProxy: boolean): string {
  const forwarded = trustProxy ? request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() : undefined;
  return (forwarded || request.headers.get('host') || new URL(request.url).host).toLowerCase();
}

function originHost(value: string): string | null {
  try {
    return new URL(value).host.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Throws FORBIDDEN unless the request names this host as its origin. `required: false` lets a
 * request without Origin and Referer through (scripts posting to the login endpoint).
 */
export function checkOrigin(request: Request, trustProxy: boolean, required = true): void {
  const origin = request.headers.get('origin');
  const referer = request.headers.get('referer');
  const source = origin && origin !== 'null' ? origin : referer;
  if (!source) {
    if (origin === 'null' || required) throw new TriageError('FORBIDDEN', 'cross-site request refused: no Origin or Referer header');
    return;
  }
  if (originHost(source) !== requestHost(request, trustProxy)) {
    throw new TriageError('FORBIDDEN', 'cross-site request refused: the Origin does not match this host');
  }
}

export function checkCsrfToken(request: Request, expected: string): void {
  const given = Buffer.from(request.headers.get(CSRF_HEADER) ?? '');
  const want = Buffer.from(expected);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new TriageError('FORBIDDEN', `missing or wrong ${CSRF_HEADER} header (get the token from GET /api/v1/auth/me)`);
  }
}
