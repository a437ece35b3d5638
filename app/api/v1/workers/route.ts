import { route, runtime as triage } from '@/lib/server/http';
import { WorkerStore } from '@/lib/state/worker-store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** Workers that reported a heartbeat; `stale: true` when one missed three in a row. */
export const GET = route({ role: 'viewer' }, async () => {
  const rt = triage();
  return { workers: await new WorkerStore(rt.stateRedis, rt.config.statePrefix).list() };
});
