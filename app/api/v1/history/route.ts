import { z } from 'zod';
import { backlogHistory } from '@/lib/server/backlog-history';
import { route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const QuerySchema = z
  .object({ range: z.enum(['15m', '1h', '24h'], { error: 'range is one of 15m, 1h, 24h' }).default('15m') })
  .strict();

/**
 * Total backlog over time for every queue in one answer (the overview's sparklines):
 * `{range, stepSec, queues: [{broker, queue, points: [[t ms, depth], …]}]}`.
 */
export const GET = route({ role: 'viewer', query: QuerySchema }, async ({ query }) => backlogHistory(query.range));
