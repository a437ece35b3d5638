import type { TaskFilter } from '@/lib/shared/task-filter';
import { EXECUTION_STATES, FINAL_EXECUTION_STATES, type ExecutionState } from '@/lib/shared/task-summary';
import type { TaskIndex } from '@/lib/state/task-index';

/** Most tasks one revoke by filter handles; the answer says `capped` when more may match. */
export const MAX_FILTER_TASKS = 1000;
// The explorer's pages read per call: each examines at most SCAN_BUDGET index entries
// (task-index.ts), so a narrow filter over a large index stops too, and says so.
const MAX_PAGES = 20;
const PAGE = 500;

/** What a revoke can still change: final executions are left as they are. */
export const REVOCABLE_STATES: readonly ExecutionState[] = EXECUTION_STATES.filter((s) => !FINAL_EXECUTION_STATES.includes(s));

/**
 * The ids of the executions matching the explorer's filter that are not final yet, newest
 * change first, read with the explorer's own listing (TaskIndex.list). `capped`: the call
 * stopped at `max` ids or at its scan bound before the end, so more may match.
 */
export async function revocableMatching(index: Pick<TaskIndex, 'list'>, filter: TaskFilter, max = MAX_FILTER_TASKS): Promise<{ ids: string[]; capped: boolean }> {
  const states = (filter.states ?? REVOCABLE_STATES).filter((s) => REVOCABLE_STATES.includes(s));
  if (states.length === 0) return { ids: [], capped: false };
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const read = await index.list({ ...filter, states }, Math.min(PAGE, max - ids.length + 1), cursor);
    for (const task of read.tasks) {
      if (ids.length === max) return { ids, capped: true };
      ids.push(task.id);
    }
    cursor = read.nextCursor;
    if (cursor === null) return { ids, capped: false };
  }
  return { ids, capped: true };
}

/** The filter as the audit log keeps it: only what narrows. */
export function auditedFilter(filter: TaskFilter): Partial<TaskFilter> {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== null));
}
