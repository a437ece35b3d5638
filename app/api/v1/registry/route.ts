import { route, runtime as triage } from '@/lib/server/http';
import { describeTasks } from '@/lib/shared/task-registry';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** The registered tasks (names, JSON Schemas of args and kwargs, examples) and the enqueue default priority, for forms. */
export const GET = route({ role: 'viewer' }, async () => ({ tasks: describeTasks(), defaultPriority: triage().config.defaultPriority }));
