import { route } from '@/lib/server/http';
import { listWorkers } from '@/lib/server/queue-listing';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Workers that reported a heartbeat (`stale: true` when one missed three in a row), and
 * Celery workers that answered remote control; `warnings` names settings that break priority.
 */
export const GET = route({ role: 'viewer' }, async () => ({ workers: await listWorkers() }));
