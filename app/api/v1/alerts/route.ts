import { route } from '@/lib/server/http';
import { listAlerts } from '@/lib/server/alerts';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** `{active, recent}`: every replica answers the same (the alerts live in the state Redis). */
export const GET = route({ role: 'viewer' }, () => listAlerts());
