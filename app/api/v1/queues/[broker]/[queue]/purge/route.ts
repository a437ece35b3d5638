import { controlContext } from '@/lib/control/context';
import { purge } from '@/lib/control/purge';
import { PurgeBodySchema } from '@/lib/control/schemas';
import { getBroker, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'admin', queue: true, body: PurgeBodySchema }, async ({ params, body, actor }) =>
  purge(controlContext(triage(), getBroker, actor, body.operationId), { ...params, ...body }),
);
