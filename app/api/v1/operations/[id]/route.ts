import { z } from 'zod';
import { route } from '@/lib/server/http';
import { operationRecord } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Progress and result of a control operation (pass `operationId` in its body to poll while it
 * runs). `?pending=1`: the caller has just sent the request that starts this operation, so
 * an id not recorded yet is "not started yet" (200, status `pending`).
 */
export const GET = route(
  {
    role: 'viewer',
    params: z.object({ id: z.string().min(1).max(64) }),
    query: z.object({}).strict(),
    missing: {
      flag: { name: 'pending', value: '1' },
      answer: ({ id }) => ({ id, status: 'pending', progress: { scanned: 0, matched: 0, moved: 0 }, result: null, error: null }),
      notFound: ({ id }) => `operation ${id} is unknown (records are kept 24 h)`,
    },
  },
  async ({ params }) => operationRecord(params.id),
);
