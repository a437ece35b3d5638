import { QueueParamsSchema, getBroker, route } from '@/lib/server/http';
import { BrowseQuerySchema, parsePriorityFilter } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Waiting messages in delivery order: `?limit=1..500&cursor=&priority=0,3-5&task=&q=`. */
export const GET = route({ role: 'viewer', params: QueueParamsSchema, query: BrowseQuerySchema }, async ({ params, query }) => {
  const broker = await getBroker(params.broker);
  return broker.browse(params.queue, {
    limit: query.limit,
    cursor: query.cursor,
    priorities: parsePriorityFilter(query.priority),
    task: query.task,
    text: query.q,
  });
});
