import { route } from '@/lib/server/http';
import { browseQueue } from '@/lib/server/queries';
import { BrowseQuerySchema } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Waiting messages in delivery order: `?limit=1..500&cursor=&priority=0,3-5&task=&q=`. */
export const GET = route({ role: 'viewer', queue: true, query: BrowseQuerySchema }, async ({ queue, query }) => browseQueue(queue, query));
