import { WorkerParamsSchema, workerTasks } from '@/lib/control/worker-control';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** What the worker runs now (id, task, startedAt), has reserved, and holds until an eta: `{worker, answered, active, reserved, scheduled}`. */
export const GET = route({ role: 'viewer', params: WorkerParamsSchema }, async ({ params, actor }) => workerTasks(control(actor), params.id));
