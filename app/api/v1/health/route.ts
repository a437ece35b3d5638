import { allBrokers, route } from '@/lib/server/http';
import { authenticateOptional } from '@/lib/server/auth';
import type { Health, PublicHealth } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Public, for load balancers: anonymous callers get `{status}` only. Broker addresses, versions
 * and error texts (which name hosts and ports) are for callers with a valid token or session.
 */
export const GET = route({ role: null }, async ({ request }) => {
  const brokers = await Promise.all((await allBrokers()).map((broker) => broker.health()));
  const status = brokers.every((b) => b.ok) ? 'ok' : 'degraded';
  if (!(await authenticateOptional(request))) return { status } satisfies PublicHealth;
  return { status, brokers } satisfies Health;
});
