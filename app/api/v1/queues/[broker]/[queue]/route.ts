import { z } from 'zod';
import { QueueParamsSchema, getBroker, route } from '@/lib/server/http';
import { decorate } from '@/lib/server/queue-listing';
import { withSampledRates } from '@/lib/server/sampler';
import { TriageError } from '@/lib/shared/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * `?missing=empty`: the caller asks about a queue that may not exist yet (a parking queue
 * before the first drain), so "none" is an answer, `{broker, name, exists: false, depth: 0}`,
 * not a 404 the browser would log.
 */
const QuerySchema = z.object({ missing: z.literal('empty').optional() });

export const GET = route({ role: 'viewer', params: QueueParamsSchema, query: QuerySchema }, async ({ params, query }) => {
  const broker = await getBroker(params.broker);
  const queue = await broker.getQueue(params.queue);
  if (!queue && query.missing) return { broker: params.broker, name: params.queue, exists: false, depth: 0 };
  if (!queue) throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(params.queue)} not found on broker ${params.broker}`);
  const [decorated] = withSampledRates(await decorate([queue], [broker]));
  return decorated!;
});
