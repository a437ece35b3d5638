import type { FailureGroups } from '@/lib/shared/task-failures';
import type { TaskListQuery } from '@/lib/shared/task-filter';
import type { TaskListPage } from '@/lib/shared/task-summary';
import { failureGroups } from '@/lib/state/task-failures';
import { whyNotResendable } from '@/lib/control/retry-celery';
import { control } from './control';
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

/**
 * The failures view: failed and dead executions in the filter's range, grouped by task and
 * error, each group naming those a retry cannot send again and why (checked in the result
 * backends, one read per backend).
 */
export function taskFailures(query: TaskListQuery): Promise<FailureGroups> {
  const backends = control(null).resultBackends;
  return failureGroups(runtime().state.taskIndex, query.filter, undefined, (failed) =>
    // A result backend that does not answer leaves the groups unmarked, not the view failed.
    whyNotResendable(backends, failed).catch(() => new Map<string, string>()),
  );
}
