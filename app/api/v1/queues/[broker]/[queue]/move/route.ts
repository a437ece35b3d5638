import { controlContext } from '@/lib/control/context';
import { move } from '@/lib/control/move';
import { MoveBodySchema } from '@/lib/control/schemas';
import { getBroker, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true, body: MoveBodySchema }, async ({ params, body, actor }) =>
  move(controlContext(triage(), getBroker, actor, body.operationId), { ...params, ...body }),
);
