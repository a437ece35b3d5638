import { restoreDrained } from '@/lib/control/drain';
import { RestoreDrainedBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Moves a drain's parking queue (`<queue>.drained`, or body `from`) back into the queue. */
export const POST = route({ role: 'operator', queue: true, body: RestoreDrainedBodySchema, optionalBody: true }, async ({ params, body, actor }) =>
  restoreDrained(control(actor, body.operationId), { ...params, ...(body.from ? { from: body.from } : {}) }),
);
