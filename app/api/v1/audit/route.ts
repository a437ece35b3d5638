import { AuditQuerySchema } from '@/lib/control/schemas';
import { route } from '@/lib/server/http';
import { auditPage } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Newest first: `?limit=1..500 (50)&cursor=&action=&actor=&broker=&queue=` (exact matches) → `{entries, nextCursor}`. */
export const GET = route({ role: 'viewer', query: AuditQuerySchema }, async ({ query }) => auditPage(query));
