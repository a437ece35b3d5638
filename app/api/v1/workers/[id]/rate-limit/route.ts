import { RateLimitBodySchema, WorkerParamsSchema, controlWorker } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Rate limit of one task name (`"10/m"`; `"0"` turns it off). Answered with the worker's replies (`answered: false` when it did not answer in time). */
export const POST = route({ role: 'operator', params: WorkerParamsSchema, body: RateLimitBodySchema }, async ({ params, body, actor }) =>
  controlWorker(control(actor), params.id, { kind: 'rate-limit', ...body }),
);
