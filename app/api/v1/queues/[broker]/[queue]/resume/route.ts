import { controlContext } from '@/lib/control/context';
import { setPaused } from '@/lib/control/pause';
import { getBroker, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true }, async ({ params, actor }) =>
  setPaused(controlContext(triage(), getBroker, actor), { ...params, paused: false }),
);
