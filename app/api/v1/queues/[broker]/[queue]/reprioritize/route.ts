import { controlContext } from '@/lib/control/context';
import { reprioritize } from '@/lib/control/reprioritize';
import { ReprioritizeBodySchema } from '@/lib/control/schemas';
import { getBroker, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true, body: ReprioritizeBodySchema }, async ({ params, body, actor }) =>
  reprioritize(controlContext(triage(), getBroker, actor, body.operationId), { ...params, ...body }),
);
