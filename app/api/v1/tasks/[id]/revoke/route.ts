import { z } from 'zod';
import { RevokeOneBodySchema, revokeTask } from '@/lib/control/revoke';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Revokes one task wherever it is: `{terminate?, signal?}` → `{matched, revoked, terminated, archives}`.
 * Waiting: taken out of its queue (archived for undo); running with terminate: stopped.
 */
export const POST = route({ role: 'operator', params: z.object({ id: z.string().min(1).max(255) }), body: RevokeOneBodySchema, optionalBody: true }, async ({ params, body, actor }) =>
  revokeTask(control(actor), { id: params.id, ...body }),
);
