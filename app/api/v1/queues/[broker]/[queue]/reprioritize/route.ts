import { reprioritize } from '@/lib/control/reprioritize';
import { ReprioritizeBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true, body: ReprioritizeBodySchema }, async ({ params, body, actor }) =>
  reprioritize(control(actor, body.operationId), { ...params, ...body }),
);
