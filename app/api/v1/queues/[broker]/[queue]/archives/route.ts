import { listArchives } from '@/lib/control/purge';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * The queue's purges that can still be restored: `{archives: [ArchiveInfo]}`, newest first.
 * Viewers may read it (when, who, how many: no message contents); restoring needs admin.
 */
export const GET = route({ role: 'viewer', queue: true }, async ({ params, actor }) =>
  listArchives(control(actor), params),
);
