import { RevokeBodySchema, revokeTasks } from '@/lib/control/revoke';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Bulk revoke: `{ids? | match?, terminate?, signal?, dryRun?}` → `{matched, revoked, terminated, archives}`;
 * `match` selects the waiting tasks of one queue (`{broker, queue, task?, priorities?}`).
 */
export const POST = route({ role: 'operator', body: RevokeBodySchema }, async ({ body, actor }) => revokeTasks(control(actor), body));
