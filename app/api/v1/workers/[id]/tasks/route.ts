import { z } from 'zod';
import { WorkerParamsSchema, workerTasks } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * What the worker runs now (id, task, startedAt), has reserved, and holds until an eta:
 * `{worker, answered, active, reserved, scheduled}`. `?missing=empty`: a page showing a worker
 * that may just have stopped gets `{worker, gone: true}` (200) instead of a 404.
 */
export const GET = route(
  {
    role: 'viewer',
    params: WorkerParamsSchema,
    query: z.object({}).strict(),
    missing: {
      flag: { name: 'missing', value: 'empty' },
      answer: ({ id }) => ({ worker: id, gone: true, answered: false, active: [], reserved: [], scheduled: [] }),
      notFound: ({ id }) => `no worker ${JSON.stringify(id)} is known or answered`,
    },
  },
  async ({ params, actor }) => workerTasks(control(actor), params.id),
);
