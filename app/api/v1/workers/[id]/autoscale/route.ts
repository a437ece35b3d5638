import { AutoscaleBodySchema, WorkerParamsSchema, controlWorker } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Sets the autoscaler range (Celery: only a worker started with --autoscale). Answered with the worker's replies (`answered: false` when it did not answer in time). */
export const POST = route({ role: 'operator', params: WorkerParamsSchema, body: AutoscaleBodySchema }, async ({ params, body, actor }) =>
  controlWorker(control(actor), params.id, { kind: 'autoscale', ...body }),
);
