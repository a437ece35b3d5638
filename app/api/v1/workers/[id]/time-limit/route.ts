import { TimeLimitBodySchema, WorkerParamsSchema, controlWorker } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Soft and hard time limits (seconds) of one task name. Answered with the worker's replies (`answered: false` when it did not answer in time). */
export const POST = route({ role: 'operator', params: WorkerParamsSchema, body: TimeLimitBodySchema }, async ({ params, body, actor }) =>
  controlWorker(control(actor), params.id, { kind: 'time-limit', ...body }),
);
