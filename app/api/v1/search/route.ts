import { route } from '@/lib/server/http';
import { searchTasks } from '@/lib/server/queries';
import { SearchQuerySchema } from '@/lib/shared/search';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Task records and waiting messages whose id starts with `?q=` (8+ characters); bounded, see
 * lib/control/search.ts; one at a time and `search.maxPerMinute` a minute per caller (429).
 */
export const GET = route({ role: 'viewer', query: SearchQuerySchema }, async ({ query, actor }) => searchTasks(query.q, actor!));
