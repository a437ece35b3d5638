import { PoolBodySchema, WorkerParamsSchema, controlWorker } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Grows or shrinks the pool by n slots, or restarts it (Celery: where worker_pool_restarts allows). Answered with the worker's replies (`answered: false` when it did not answer in time). */
export const POST = route({ role: 'operator', params: WorkerParamsSchema, body: PoolBodySchema }, async ({ params, body, actor }) =>
  controlWorker(control(actor), params.id, { kind: 'pool', ...body }),
);
