import { SecurityLogQuerySchema } from '@/lib/control/schemas';
import { route } from '@/lib/server/http';
import { securityLogPage } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Admin: failed operations, failed logins and refused requests, newest first:
 * `?limit=&cursor=&kind=failed|denied|login_failed&action=&actor=&broker=&queue=` → `{entries, nextCursor}`.
 */
export const GET = route({ role: 'admin', query: SecurityLogQuerySchema }, async ({ query }) => securityLogPage(query));
