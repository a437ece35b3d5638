import { allBrokers, route } from '@/lib/server/http';
import { authenticateOptional } from '@/lib/server/auth';
import type { Health, PublicHealth } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Public, for load balancers and outside checks: anonymous callers get the contract's shape
 * with up/down and latency per broker only. Versions and error texts (which name hosts,
 * ports and URLs) are for callers with a valid token or session.
 */
export const GET = route({ role: null }, async ({ request }) => {
  const brokers = await Promise.all((await allBrokers()).map((broker) => broker.health()));
  const status = brokers.every((b) => b.ok) ? 'ok' : 'degraded';
  if (!(await authenticateOptional(request))) {
    return { status, brokers: brokers.map(({ id, kind, ok, latencyMs }) => ({ id, kind, ok, latencyMs })) } satisfies PublicHealth;
  }
  return { status, brokers } satisfies Health;
});
