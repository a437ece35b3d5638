import { z } from 'zod';
import { controlContext } from '@/lib/control/context';
import { restoreArchive } from '@/lib/control/purge';
import { getBroker, route, runtime as triage } from '@/lib/server/http';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

export const POST = route({ role: 'admin', params: z.object({ archiveId: z.string().min(1).max(64) }) }, async ({ params, actor }) =>
  restoreArchive(controlContext(triage(), getBroker, actor), params),
);
