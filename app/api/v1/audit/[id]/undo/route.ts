import { z } from 'zod';
import { undo } from '@/lib/control/undo';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** `{dryRun?}` → `{restorable, restored, alreadyRun, operationId}`; the id is an audit entry's (or a killed operation's). */
export const POST = route(
  { role: 'operator', params: z.object({ id: z.string().min(1).max(64) }), body: z.object({ dryRun: z.boolean().optional() }).strict(), optionalBody: true },
  async ({ params, body, actor }) => undo(control(actor), { id: params.id, ...(body.dryRun ? { dryRun: true } : {}) }),
);
