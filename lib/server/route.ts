import { z, type ZodType } from 'zod';
import type { QueueBroker } from '@/lib/brokers/types';
import { TriageError, isTriageError } from '@/lib/shared/errors';
import { QueueNameSchema } from '@/lib/shared/names';
import { recordDenial } from './audit-trail';
import { roleAllows, type Role } from '@/lib/shared/roles';
import { authenticate, checkCsrf, type Actor } from './auth';
import { errorResponse, toErrorResponse, zodDetails } from './errors';
import { jsonResponse } from './json-response';
import { getBroker, runtime } from './runtime';

/** Larger bodies are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A lookup the caller may make before the thing exists (a parking queue before the first
 * drain, a task just enqueued, an operation whose request is still in flight): with the
 * query flag set, "not there yet" is `answer` with 200 rather than a 404 every poll would
 * log in the browser's console. The handler returns null for "not there".
 */
export interface MissingAnswer<P> {
  /** The query parameter and the one value that sets it (`?missing=empty`, `?pending=1`). */
  flag: { name: string; value: string };
  answer(params: P): object;
  /** The 404's message without the flag. */
  notFound(params: P): string;
}

/** The queue of a `queue: true` route: the `[broker]/[queue]` path segments, resolved. */
export interface RouteQueue {
  broker: QueueBroker;
  name: string;
}

interface RouteSpec<P, Q, B, R extends boolean> {
  /**
   * The least role allowed; `null` = public (health, login). Every other route needs a token or
   * a session (401), a high enough role (403) and, for cookie-authenticated mutations, the
   * CSRF token and a same-origin Origin (403).
   */
  role: Role | null;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** An empty or missing body means `{}` (endpoints whose every field is optional: drain, restore, retry). */
  optionalBody?: boolean;
  maxBodyBytes?: number;
  /**
   * A `[broker]/[queue]` route: params are QueueParamsSchema, the broker is resolved (404 when
   * unknown) and a name that can never be a queue is refused (422), reads included, before
   * the handler runs; the handler gets both as `queue`.
   */
  queue?: R;
  /** The route answers a lookup the caller may make early: the handler returns null for "not there". */
  missing?: MissingAnswer<R extends true ? QueueParams : P>;
}

export interface RouteContext<P, Q, B> {
  request: Request;
  params: P;
  query: Q;
  body: B;
  actor: Actor | null;
}

type HandlerContext<P, Q, B, R extends boolean> = R extends true
  ? RouteContext<QueueParams, Q, B> & { queue: RouteQueue }
  : RouteContext<P, Q, B>;

type NextRouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * Wraps a route handler: authenticates, checks the role, validates params, query and body
 * with zod, and maps every error to the one JSON error shape. A handler returns either a
 * Response, a value sent as JSON with 200, or (routes with `missing`) null for "not there".
 */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined, R extends boolean = false>(
  spec: RouteSpec<P, Q, B, R>,
  handler: (ctx: HandlerContext<P, Q, B, R>) => Promise<Response | object | null>,
): (request: Request, context: NextRouteContext) => Promise<Response> {
  return async (request, context) => {
    let actor: Actor | null = null;
    try {
      actor = spec.role === null ? null : await authenticate(request);
      if (spec.role !== null && actor) {
        checkCsrf(request, actor);
        if (!roleAllows(actor.role, spec.role)) {
          throw new TriageError('FORBIDDEN', `this action needs the ${spec.role} role; you are ${actor.role}`);
        }
      }
      const params = parse<unknown>(spec.queue ? QueueParamsSchema : spec.params, decodeParams(await context.params), 'params');
      const queue = spec.queue ? await resolveQueue(params as QueueParams) : undefined;
      const url = new URL(request.url);
      const rawQuery = Object.fromEntries(url.searchParams);
      const mayBeMissing = spec.missing ? missingFlag(spec.missing.flag, rawQuery) : false;
      const query = parse(spec.query, rawQuery, 'query');
      const body = spec.body
        ? parse(spec.body, await readJson(request, spec.maxBodyBytes ?? MAX_BODY_BYTES, spec.optionalBody === true), 'body')
        : (undefined as B);
      const result = await handler({ request, params, query, body, actor, ...(queue ? { queue } : {}) } as HandlerContext<P, Q, B, R>);
      if (result === null) {
        const missing = spec.missing as MissingAnswer<unknown> | undefined;
        if (!missing) throw new Error('a route handler answered null without a `missing` spec');
        if (mayBeMissing) return jsonResponse(missing.answer(params));
        throw new TriageError('NOT_FOUND', missing.notFound(params));
      }
      return result instanceof Response ? result : jsonResponse(result);
    } catch (error) {
      // Refusals of a known caller go to the security log (issue #17): who tried what.
      if (actor && isTriageError(error) && error.code === 'FORBIDDEN') await recordDenial(request, actor, error, decodeParams(await context.params));
      return toErrorResponse(error, (err) => runtime().logger.error({ err, url: request.url, method: request.method }, 'request failed'));
    }
  };
}

/**
 * Every queue route refuses a name that can never be a queue (kombu's bookkeeping, Triage's
 * state keys, amq.*) the same way, reads included: 422.
 */
async function resolveQueue(params: QueueParams): Promise<RouteQueue> {
  const broker = await getBroker(params.broker);
  const reason = broker.reservedQueueName(params.queue);
  if (reason) throw new TriageError('UNPROCESSABLE', reason);
  return { broker, name: params.queue };
}

/**
 * Whether the caller set the route's "may be missing" flag, validated like any query field
 * and taken out of the query, so the route's own query schema (strict or not) never sees it.
 */
function missingFlag(flag: MissingAnswer<unknown>['flag'], query: Record<string, string>): boolean {
  const given = parse(z.object({ [flag.name]: z.literal(flag.value).optional() }), { [flag.name]: query[flag.name] }, 'query');
  delete query[flag.name];
  return given[flag.name] !== undefined;
}

function parse<T>(schema: ZodType<T> | undefined, input: unknown, where: string): T {
  if (!schema) return {} as T;
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new TriageError('INVALID', `invalid ${where}: ${result.error.issues[0]?.message ?? 'malformed'}`, zodDetails(result.error));
  }
  return result.data;
}

function decodeParams(params: Record<string, string | string[]> | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    out[key] = Array.isArray(value) ? value.map(safeDecode) : safeDecode(value);
  }
  return out;
}

/** Next hands dynamic segments over still percent-encoded; a bad escape is kept verbatim. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Reads at most `limit` bytes: a larger body, declared or streamed, is refused without buffering the rest. */
async function readJson(request: Request, limit: number, optional: boolean): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > limit) {
    throw new TriageError('TOO_LARGE', `the request body is larger than ${limit} bytes`);
  }
  const reader = request.body?.getReader();
  if (!reader) {
    if (optional) return {};
    throw new TriageError('INVALID', 'a JSON body is required');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new TriageError('TOO_LARGE', `the request body is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    if (optional) return {};
    throw new TriageError('INVALID', 'a JSON body is required');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TriageError('INVALID', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Common path params. */
export const QueueParamsSchema = z.object({
  broker: z.string().min(1).max(64),
  queue: QueueNameSchema,
});
type QueueParams = z.infer<typeof QueueParamsSchema>;

export { errorResponse };
