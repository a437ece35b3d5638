import { searchById } from '@/lib/control/search';
import { allBrokers, route, runtime as triage } from '@/lib/server/http';
import { SearchQuerySchema } from '@/lib/shared/search';
import { TaskStore } from '@/lib/state/task-store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Task records and waiting messages whose id starts with `?q=` (8+ characters); bounded, see lib/control/search.ts. */
export const GET = route({ role: 'viewer', query: SearchQuerySchema }, async ({ query }) => {
  const rt = triage();
  return searchById(query.q, { brokers: await allBrokers(), tasks: new TaskStore(rt.stateRedis, rt.config.statePrefix) });
});
