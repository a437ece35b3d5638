import { z } from 'zod';
import { restoreArchive } from '@/lib/control/purge';
import { control, route } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'admin', params: z.object({ archiveId: z.string().min(1).max(64) }) }, async ({ params, actor }) =>
  restoreArchive(control(actor), params),
);
