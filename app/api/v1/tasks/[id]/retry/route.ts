import { z } from 'zod';
import { retryTask } from '@/lib/control/retry';
import { RetryOneBodySchema } from '@/lib/control/schemas';
import { control, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Finds the task in the dead-letter queues, or a failure a Celery worker stored in a result
 * backend (with result_extended), and sends it back to its queue: `{priority?}` → `{id}`.
 */
export const POST = route({ role: 'operator', params: z.object({ id: z.string().min(1).max(255) }), body: RetryOneBodySchema, optionalBody: true }, async ({ params, body, actor }) => {
  const rt = triage();
  return retryTask(control(actor), {
    id: params.id,
    ...body,
    brokers: [...rt.brokers.keys()],
    defaultPriority: rt.config.defaultPriority,
  });
});
