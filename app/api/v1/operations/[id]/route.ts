import { z } from 'zod';
import { route, runtime as triage } from '@/lib/server/http';
import { TriageError } from '@/lib/shared/errors';
import { OperationStore } from '@/lib/state/operations';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Progress and result of a control operation (pass `operationId` in its body to poll while it runs). */
export const GET = route({ role: 'viewer', params: z.object({ id: z.string().min(1).max(64) }) }, async ({ params }) => {
  const rt = triage();
  const record = await new OperationStore(rt.stateRedis, rt.config.statePrefix).get(params.id);
  if (!record) throw new TriageError('NOT_FOUND', `operation ${params.id} is unknown (records are kept 24 h)`);
  return record;
});
