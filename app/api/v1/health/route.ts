import { route } from '@/lib/server/http';
import { authenticateOptional } from '@/lib/server/auth';
import { brokerHealth } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Public, for load balancers and outside checks: anonymous callers get the contract's shape
 * with up/down and latency per broker only. Versions and error texts (which name hosts,
 * ports and URLs) are for callers with a valid token or session.
 */
export const GET = route({ role: null }, async ({ request }) => brokerHealth((await authenticateOptional(request)) !== null));
