import { z } from 'zod';
import { route } from '@/lib/server/http';
import { taskRecord } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * The last known state and timeline of a task the workers saw (kept 7 days). `?missing=empty`:
 * the caller follows a task it expects to appear (just enqueued, say), so an id no worker has
 * seen yet is `{id, unseen: true}` (200).
 */
export const GET = route(
  {
    role: 'viewer',
    params: z.object({ id: z.string().min(1).max(255) }),
    query: z.object({}).strict(),
    missing: {
      flag: { name: 'missing', value: 'empty' },
      answer: ({ id }) => ({ id, unseen: true }),
      notFound: ({ id }) => `no task ${JSON.stringify(id)} has been seen by a worker (or its record expired)`,
    },
  },
  async ({ params }) => taskRecord(params.id),
);
