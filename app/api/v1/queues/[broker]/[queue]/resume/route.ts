import { setPaused } from '@/lib/control/pause';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'operator', queue: true }, async ({ params, actor }) =>
  setPaused(control(actor), { ...params, paused: false }),
);
