import { route } from '@/lib/server/http';
import { taskFailures } from '@/lib/server/task-queries';
import { TaskListQuerySchema } from '@/lib/shared/task-filter';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * Failed and dead executions grouped by task name and error, the largest group first, with
 * the explorer's filters (`since=15m`, `task=`, `queue=`…) → `{groups, scanned, complete}`.
 */
export const GET = route({ role: 'viewer', query: TaskListQuerySchema }, async ({ query }) => taskFailures(query));
