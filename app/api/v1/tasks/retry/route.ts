import { retryTasks } from '@/lib/control/retry-many';
import { control, route, runtime as triage } from '@/lib/server/http';
import { RetryManyBodySchema } from '@/lib/shared/task-failures';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Several failed or dead tasks back to their queues, each as `POST /api/v1/tasks/{id}/retry`
 * does it (and audited as such): `{ids, priority?}` → `{matched, retried, failed: [{id, message}]}`.
 */
export const POST = route({ role: 'operator', body: RetryManyBodySchema }, async ({ body, actor }) =>
  retryTasks(control(actor), { ids: body.ids, ...(body.priority !== undefined ? { priority: body.priority } : {}), defaultPriority: triage().config.defaultPriority }),
);
