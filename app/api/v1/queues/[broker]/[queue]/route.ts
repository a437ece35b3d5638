import { QueueParamsSchema, getBroker, route } from '@/lib/server/http';
import { decorate } from '@/lib/server/queue-listing';
import { withSampledRates } from '@/lib/server/sampler';
import { TriageError } from '@/lib/shared/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: 'viewer', params: QueueParamsSchema }, async ({ params }) => {
  const broker = await getBroker(params.broker);
  const queue = await broker.getQueue(params.queue);
  if (!queue) throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(params.queue)} not found on broker ${params.broker}`);
  const [decorated] = withSampledRates(await decorate([queue], [broker]));
  return decorated!;
});
