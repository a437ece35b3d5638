import { ZodError } from 'zod';
import { TriageError, isTriageError, type TriageErrorCode } from '@/lib/shared/errors';
import { jsonResponse } from './json-response';

/** The one table from error codes to HTTP statuses. */
const STATUS: Record<TriageErrorCode, number> = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  THROTTLED: 429,
  UNSUPPORTED: 422,
  UNAVAILABLE: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorResponse(code: TriageErrorCode, message: string, details?: unknown, headers?: HeadersInit): Response {
  const body: ErrorBody = { error: { code, message, ...(details === undefined ? {} : { details }) } };
  return jsonResponse(body, { status: STATUS[code], headers });
}

/** Over a rate or concurrency limit (logins, searches): 429 with `Retry-After`. */
export function throttled(message: string, retryAfterSec: number): TriageError {
  return new TriageError('THROTTLED', message, { retryAfterSec });
}

function retryAfterOf(details: unknown): HeadersInit | undefined {
  const sec = (details as { retryAfterSec?: unknown } | undefined)?.retryAfterSec;
  return typeof sec === 'number' ? { 'retry-after': String(sec) } : undefined;
}

export function zodDetails(error: ZodError): { path: (string | number)[]; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.filter((p): p is string | number => typeof p !== 'symbol'),
    message: issue.message,
  }));
}

/**
 * Any thrown value → the contract's error shape. Unknown errors become a 500 with a generic
 * message: the stack goes to the log, never into a response.
 */
export function toErrorResponse(error: unknown, log: (err: unknown) => void): Response {
  if (isTriageError(error)) return errorResponse(error.code, error.message, error.details, retryAfterOf(error.details));
  if (isZodError(error)) {
    return errorResponse('INVALID', 'the request is invalid', zodDetails(error));
  }
  log(error);
  return jsonResponse({ error: { code: 'INTERNAL', message: 'an internal error occurred; see the server log' } }, { status: 500 });
}

/** By name as well as class, for the same cross-bundle reason as isTriageError. */
function isZodError(error: unknown): error is ZodError {
  return error instanceof ZodError || (error instanceof Error && error.name === 'ZodError' && Array.isArray((error as ZodError).issues));
}
