/**
 * The browser's HTTP client for /api/v1. Every non-2xx answer becomes an ApiError carrying
 * the contract's error shape `{"error": {"code", "message", "details"}}`, so callers (and
 * the query client's retry policy) can branch on `status` and `code` instead of parsing text.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The caller's request is wrong (or not allowed): asking again will not help. */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; details?: unknown };
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's HTML page, an empty 502): fall back to the status line.
  }
  const error = body?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
  const message =
    typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText || 'error'}`.trim();
  return new ApiError(response.status, code, message, error?.details);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOGIN_PATH = '/api/v1/auth/login';

/**
 * The session's CSRF token, sent as `X-CSRF-Token` on every mutation (the server refuses
 * cookie-authenticated mutations without it). Set by login and `useMe()`; fetched on demand.
 */
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function ensureCsrfToken(): Promise<string | null> {
  if (csrfToken) return csrfToken;
  try {
    const res = await fetch('/api/v1/auth/me', { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (res.ok) csrfToken = ((await res.json()) as { csrfToken: string | null }).csrfToken;
  } catch {
    // The mutation itself will report the network error.
  }
  return csrfToken;
}

/** A page's API call found no session (expired, logged out elsewhere): go to the login page. */
function redirectToLogin(path: string): void {
  if (typeof window === 'undefined' || path.startsWith('/api/v1/auth/')) return;
  if (window.location.pathname === '/login') return;
  const next = window.location.pathname + window.location.search;
  // A full load: the server-rendered header and every cached query belong to the old session.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign(`/login?next=${encodeURIComponent(next)}`);
}

async function request<T>(path: string, init: RequestInit, retried = false): Promise<T> {
  let response: Response;
  const method = (init.method ?? 'GET').toUpperCase();
  // Logging in has no session yet, so no token to fetch (asking would only log a 401).
  const csrf = SAFE_METHODS.has(method) || path === LOGIN_PATH ? null : await ensureCsrfToken();
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}), ...init.headers },
      // Live views poll; a cached answer would freeze the numbers.
      cache: 'no-store',
    });
  } catch (error) {
    // status 0 = the server never answered (down, restarting, network gone): worth retrying.
    throw new ApiError(0, 'NETWORK', `Cannot reach the Triage server (${(error as Error).message})`);
  }
  if (response.status === 401) redirectToLogin(path);
  if (!response.ok) {
    const error = await toApiError(response);
    // A token from an earlier session (logged in again in another tab): fetch the current one, once.
    if (error.status === 403 && csrf && !retried && /csrf/i.test(error.message)) {
      setCsrfToken(null);
      return request<T>(path, init, true);
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>(path, { method: 'GET', signal });
}

export function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return sendJson<T>('POST', path, body, signal);
}

/** Any mutation; `body` undefined sends none. */
export function sendJson<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal,
  });
}

/** Path of a queue resource; both segments are URL-encoded (queue names may hold anything). */
export function queuePath(broker: string, queue: string, suffix = ''): string {
  return `/api/v1/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queue)}${suffix}`;
}

/**
 * `path` asking for an answer instead of a 404 when the resource does not exist (yet): a
 * parking queue never drained into, a task or worker no longer (or not yet) known
 * (`?missing=empty`), an operation whose starting request is still in flight
 * (`?pending=1`). One place builds these, so the server's parameter names live here alone.
 */
export function absentAsAnswer(path: string, absent: 'empty' | 'pending'): string {
  const param = absent === 'empty' ? 'missing=empty' : 'pending=1';
  return `${path}${path.includes('?') ? '&' : '?'}${param}`;
}
