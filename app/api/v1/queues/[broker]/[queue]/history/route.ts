import { z } from 'zod';
import { route } from '@/lib/server/http';
import { queueHistory } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const QuerySchema = z
  .object({ range: z.enum(['15m', '1h', '24h'], { error: 'range is one of 15m, 1h, 24h' }).default('1h') })
  .strict();

/**
 * Backlog by priority over time, as the server's sampler stored it: `{range, stepSec,
 * points: [{t, byPriority, depth}]}`; no points for a queue never sampled.
 */
export const GET = route({ role: 'viewer', queue: true, query: QuerySchema }, async ({ queue, query }) => queueHistory(queue, query.range));
