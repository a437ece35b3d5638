import { route } from '@/lib/server/http';
import { listTasks } from '@/lib/server/task-queries';
import { TaskListQuerySchema } from '@/lib/shared/task-filter';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * The task explorer: executions newest change first, `?state=&task=&queue=&broker=&worker=&priority=&since=&until=&q=&id=&limit=&cursor=`
 * (comma lists; `task` any part of the name, any case; `priority` levels, ranges or bands) →
 * `{tasks, nextCursor, counts}`.
 */
export const GET = route({ role: 'viewer', query: TaskListQuerySchema }, async ({ query }) => listTasks(query));
