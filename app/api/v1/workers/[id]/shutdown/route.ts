import { ShutdownBodySchema, WorkerParamsSchema, controlWorker } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Graceful shutdown: the worker takes nothing new and lets running tasks finish. Celery workers do not answer it. Answered with the worker's replies (`answered: false` when it did not answer in time). */
export const POST = route({ role: 'operator', params: WorkerParamsSchema, body: ShutdownBodySchema, optionalBody: true }, async ({ params, actor }) =>
  controlWorker(control(actor), params.id, { kind: 'shutdown' }),
);
