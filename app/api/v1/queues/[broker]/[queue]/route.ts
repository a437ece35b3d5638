import { QueueParamsSchema, getBroker, route } from '@/lib/server/http';
import { TriageError } from '@/lib/shared/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'viewer', params: QueueParamsSchema }, async ({ params }) => {
  const queue = await (await getBroker(params.broker)).getQueue(params.queue);
  if (!queue) throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(params.queue)} not found on broker ${params.broker}`);
  return queue;
});
