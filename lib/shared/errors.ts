/**
 * The one error type that crosses module boundaries. Adapters, control operations and
 * config all throw it; `lib/server/route.ts` maps `code` to an HTTP status in one table.
 */
export type TriageErrorCode =
  | 'INVALID' // the caller's input is wrong (400)
  | 'NOT_FOUND' // unknown broker, queue, task, archive (404)
  | 'CONFLICT' // state forbids it: queue exists with other arguments, same source and target (409)
  | 'UNPROCESSABLE' // well-formed but semantically refused (422)
  | 'TOO_LARGE' // body or bulk size over a limit (413)
  | 'UNAVAILABLE' // the broker cannot be reached (503)
  | 'UNSUPPORTED' // the adapter lacks the capability (422)
  | 'THROTTLED' // over a rate or concurrency limit; details.retryAfterSec becomes Retry-After (429)
  | 'UNAUTHENTICATED' // 401
  | 'FORBIDDEN'; // 403

/**
 * Next bundles each route separately, while broker clients live in one process-wide
 * singleton: an error thrown by code from one bundle is caught in another, where
 * `instanceof` sees a different class. A registry symbol identifies it across copies.
 */
const BRAND = Symbol.for('triage.error');

export class TriageError extends Error {
  readonly [BRAND] = true;
  readonly code: TriageErrorCode;
  readonly details: unknown;

  constructor(code: TriageErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'TriageError';
    this.code = code;
    this.details = details;
  }
}

export function isTriageError(error: unknown): error is TriageError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** A message safe to show a user for any thrown value: never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
