import { deleteMessages } from '@/lib/control/delete';
import { DeleteBodySchema } from '@/lib/control/schemas';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** `{ids?, match?}` (one of them required) → `{matched, deleted}`. */
export const POST = route({ role: 'operator', queue: true, body: DeleteBodySchema }, async ({ params, body, actor }) =>
  deleteMessages(control(actor, body.operationId), { ...params, ...body }),
);
