import { z } from 'zod';
import { route } from '@/lib/server/http';
import { queueWaitSeries } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Task waits (enqueued → started) of the queue's last 15 minutes, minute by minute:
 * `{windowSec, stepSec, points: [{t, levels, bands}]}`, p50/p95/count per level and band of
 * the tasks that started in each minute (empty maps when none did). 404 for an unknown queue.
 */
export const GET = route({ role: 'viewer', queue: true, query: z.object({}).strict() }, async ({ queue }) => queueWaitSeries(queue));
