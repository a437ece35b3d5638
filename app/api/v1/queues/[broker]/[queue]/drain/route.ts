import { drain } from '@/lib/control/drain';
import { DrainBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Body optional: `{to?: {broker, queue}}`. */
export const POST = route({ role: 'operator', queue: true, body: DrainBodySchema, optionalBody: true }, async ({ params, body, actor }) =>
  drain(control(actor, body.operationId), { ...params, ...(body.to ? { to: body.to } : {}) }),
);
