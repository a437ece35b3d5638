import { purge } from '@/lib/control/purge';
import { PurgeBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'admin', queue: true, body: PurgeBodySchema }, async ({ params, body, actor }) =>
  purge(control(actor, body.operationId), { ...params, ...body }),
);
