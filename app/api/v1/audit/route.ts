import { AuditQuerySchema } from '@/lib/control/schemas';
import { route, runtime as triage } from '@/lib/server/http';
import { AuditLog } from '@/lib/state/audit';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Newest first: `?limit=1..500 (50)&cursor=&action=&actor=&broker=&queue=` (exact matches) → `{entries, nextCursor}`. */
export const GET = route({ role: 'viewer', query: AuditQuerySchema }, async ({ query }) => {
  const rt = triage();
  const { limit, cursor, ...filter } = query;
  return new AuditLog(rt.stateRedis, rt.config.statePrefix).page(limit, cursor ?? null, filter);
});
