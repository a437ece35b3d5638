import { route } from '@/lib/server/http';
import { allQueues } from '@/lib/server/queries';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Every queue on every reachable broker; an unreachable broker is listed under `unavailable`.
 * RabbitMQ's listing may be up to LISTING_MAX_AGE_MS old (see listing-cache.ts). Redis rates
 * are the server sampler's (Redis reports none).
 */
export const GET = route({ role: 'viewer' }, async () => allQueues());
