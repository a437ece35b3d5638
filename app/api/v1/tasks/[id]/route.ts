import { z } from 'zod';
import { route, runtime as triage } from '@/lib/server/http';
import { TriageError } from '@/lib/shared/errors';
import { TaskStore } from '@/lib/state/task-store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * `?missing=empty`: the caller follows a task it expects to appear (just enqueued, say), so an
 * id no worker has seen yet is `{id, unseen: true}` (200) rather than a 404 that each poll
 * would log in the browser's console.
 */
const QuerySchema = z.object({ missing: z.literal('empty').optional() }).strict();

/** The last known state and timeline of a task the workers saw (kept 7 days). */
export const GET = route({ role: 'viewer', params: z.object({ id: z.string().min(1).max(255) }), query: QuerySchema }, async ({ params, query }) => {
  const rt = triage();
  const task = await new TaskStore(rt.stateRedis, rt.config.statePrefix).get(params.id);
  if (task) return task;
  if (query.missing) return { id: params.id, unseen: true };
  throw new TriageError('NOT_FOUND', `no task ${JSON.stringify(params.id)} has been seen by a worker (or its record expired)`);
});
