import { z } from 'zod';
import { route } from '@/lib/server/http';
import { operationEvents } from '@/lib/server/queries';
import { TriageError } from '@/lib/shared/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** SSE: `progress` events while the operation runs, then `done` with its final record. */
export const GET = route({ role: 'viewer', params: z.object({ id: z.string().min(1).max(64) }) }, async ({ request, params }) => {
  const stream = await operationEvents(params.id, request.signal);
  if (!stream) throw new TriageError('NOT_FOUND', `operation ${params.id} is unknown (records are kept 24 h)`);
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: keeps compression (and proxies) from buffering the stream.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
});
