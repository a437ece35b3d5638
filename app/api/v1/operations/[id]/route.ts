import { z } from 'zod';
import { route, runtime as triage } from '@/lib/server/http';
import { TriageError } from '@/lib/shared/errors';
import { OperationStore } from '@/lib/state/operations';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * `?pending=1`: the caller has just sent the request that starts this operation, so an id
 * not recorded yet is "not started yet" (200, status `pending`) rather than a 404 each
 * poll would log in the browser's console.
 */
const QuerySchema = z.object({ pending: z.literal('1').optional() }).strict();

/** Progress and result of a control operation (pass `operationId` in its body to poll while it runs). */
export const GET = route({ role: 'viewer', params: z.object({ id: z.string().min(1).max(64) }), query: QuerySchema }, async ({ params, query }) => {
  const rt = triage();
  const record = await new OperationStore(rt.stateRedis, rt.config.statePrefix).get(params.id);
  if (record) return record;
  if (query.pending) return { id: params.id, status: 'pending', progress: { scanned: 0, matched: 0, moved: 0 }, result: null, error: null };
  throw new TriageError('NOT_FOUND', `operation ${params.id} is unknown (records are kept 24 h)`);
});
