import { allBrokers, route } from '@/lib/server/http';
import type { Health } from '@/lib/shared/types';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const GET = route({ role: null }, async () => {
  const brokers = await Promise.all((await allBrokers()).map((broker) => broker.health()));
  const health: Health = { status: brokers.every((b) => b.ok) ? 'ok' : 'degraded', brokers };
  return health;
});
