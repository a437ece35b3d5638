import type { ZodType } from 'zod';
import { TriageError } from '@/lib/shared/errors';

/** Larger bodies are refused; control bodies are small (ids lists at most ~400 KB). */
const MAX_BYTES = 1024 * 1024;

/**
 * Parses an optional JSON body (endpoints whose every field is optional: drain, restore,
 * retry) with `schema`; an empty body means `{}`. Field errors carry their paths like the
 * route wrapper's.
 */
export async function optionalJson<T>(request: Request, schema: ZodType<T>): Promise<T> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > MAX_BYTES) throw new TriageError('TOO_LARGE', `the request body is larger than ${MAX_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BYTES) throw new TriageError('TOO_LARGE', `the request body is larger than ${MAX_BYTES} bytes`);
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new TriageError('INVALID', `the body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new TriageError(
      'INVALID',
      `invalid body: ${parsed.error.issues[0]?.message ?? 'malformed'}`,
      parsed.error.issues.map((i) => ({ path: i.path.filter((p) => typeof p !== 'symbol'), message: i.message })),
    );
  }
  return parsed.data;
}
