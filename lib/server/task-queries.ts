import type { TaskListQuery } from '@/lib/shared/task-filter';
import type { TaskListPage } from '@/lib/shared/task-summary';
import { runtime } from './runtime';

/**
 * The task explorer's page (`GET /api/v1/tasks`): rows from the state Redis's task index
 * (lib/state/task-index.ts, whose header gives the cost model), and the per-state counts
 * over the same time range.
 */
export async function listTasks(query: TaskListQuery): Promise<TaskListPage> {
  const index = runtime().state.taskIndex;
  const { filter } = query;
  const [page, counts] = await Promise.all([index.list(filter, query.limit, query.cursor), index.counts(filter.since, filter.until)]);
  return { tasks: page.tasks, nextCursor: page.nextCursor, counts };
}
