import { controlContext } from '@/lib/control/context';
import { deleteMessages } from '@/lib/control/delete';
import { DeleteBodySchema } from '@/lib/control/schemas';
import { getBroker, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** `{ids?, match?}` (one of them required) → `{matched, deleted}`. */
export const POST = route({ role: 'operator', queue: true, body: DeleteBodySchema }, async ({ params, body, actor }) =>
  deleteMessages(controlContext(triage(), getBroker, actor, body.operationId), { ...params, ...body }),
);
