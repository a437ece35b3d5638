import { z } from 'zod';
import { route, runtime as triage } from '@/lib/server/http';
import { TriageError } from '@/lib/shared/errors';
import { TaskStore } from '@/lib/state/task-store';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The last known state and timeline of a task the workers saw (kept 7 days). */
export const GET = route({ role: 'viewer', params: z.object({ id: z.string().min(1).max(255) }) }, async ({ params }) => {
  const rt = triage();
  const task = await new TaskStore(rt.stateRedis, rt.config.statePrefix).get(params.id);
  if (!task) throw new TriageError('NOT_FOUND', `no task ${JSON.stringify(params.id)} has been seen by a worker (or its record expired)`);
  return task;
});
