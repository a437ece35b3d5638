import { searchById } from '@/lib/control/search';
import { allBrokers, route, runtime as triage } from '@/lib/server/http';
import { limitedSearch } from '@/lib/server/search-limit';
import { SearchQuerySchema } from '@/lib/shared/search';
import { TaskStore } from '@/lib/state/task-store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Task records and waiting messages whose id starts with `?q=` (8+ characters); bounded, see
 * lib/control/search.ts; one at a time and `search.maxPerMinute` a minute per caller (429).
 */
export const GET = route({ role: 'viewer', query: SearchQuerySchema }, async ({ query, actor }) => {
  const rt = triage();
  return limitedSearch(rt.stateRedis, rt.config, actor!, async () =>
    searchById(query.q, { brokers: await allBrokers(), tasks: new TaskStore(rt.stateRedis, rt.config.statePrefix) }),
  );
});
