import { move } from '@/lib/control/move';
import { MoveBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true, body: MoveBodySchema }, async ({ params, body, actor }) =>
  move(control(actor, body.operationId), { ...params, ...body }),
);
