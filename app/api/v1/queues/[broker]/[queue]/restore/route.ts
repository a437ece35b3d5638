import { controlContext } from '@/lib/control/context';
import { restoreDrained } from '@/lib/control/drain';
import { RestoreDrainedBodySchema } from '@/lib/control/schemas';
import { QueueParamsSchema, getBroker, route, runtime as triage } from '@/lib/server/http';
import { optionalJson } from '@/lib/control/http-body';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Moves a drain's parking queue (`<queue>.drained`, or body `from`) back into the queue. */
export const POST = route({ role: 'operator', params: QueueParamsSchema }, async ({ request, params, actor }) => {
  const body = await optionalJson(request, RestoreDrainedBodySchema);
  return restoreDrained(controlContext(triage(), getBroker, actor, body.operationId), { ...params, ...(body.from ? { from: body.from } : {}) });
});
