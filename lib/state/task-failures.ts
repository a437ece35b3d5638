import { MAX_GROUP_IDS, type FailureGroup, type FailureGroups } from '@/lib/shared/task-failures';
import { matchesSummary, type TaskFilter } from '@/lib/shared/task-filter';
import type { ExecutionState } from '@/lib/shared/task-summary';
import type { TaskIndex } from './task-index';

/** Failed and dead executions one request may read to group them: the view's cost bound. */
export const FAILURE_BUDGET = 20_000;
const FAILURE_STATES: readonly ExecutionState[] = ['failed', 'dead'];

/**
 * Failed and dead executions within the filter's time range grouped by task name and error,
 * the largest group first. Reads the two state sets newest first, at most `budget` entries.
 */
export async function failureGroups(
  index: TaskIndex,
  filter: TaskFilter,
  budget = FAILURE_BUDGET,
  /** Why some `failed` executions (Celery's) cannot be retried, by id; those absent can be. */
  explain?: (failed: { id: string; broker: string }[]) => Promise<ReadonlyMap<string, string>>,
): Promise<FailureGroups> {
  const states = filter.states ? FAILURE_STATES.filter((s) => filter.states!.includes(s)) : FAILURE_STATES;
  // A row read from these sets but since retried (its row says so) is no failure any more.
  const scope: TaskFilter = { ...filter, states: [...states] };
  const groups = new Map<string, FailureGroup>();
  let scanned = 0;
  const failed: { id: string; broker: string }[] = [];
  for await (const rows of index.rows(states, filter.since, filter.until, budget)) {
    scanned += rows.length;
    for (const row of rows) {
      if (!matchesSummary(row, scope)) continue;
      const key = `${row.task}\u0000${row.error ?? ''}`;
      let group = groups.get(key);
      if (!group) {
        group = { task: row.task, error: row.error, count: 0, failed: 0, dead: 0, firstSeen: row.updatedAt, lastSeen: row.updatedAt, ids: [] };
        groups.set(key, group);
      }
      group.count += 1;
      if (row.state === 'dead') group.dead += 1;
      else group.failed += 1;
      // Rows come newest first: the last one read is the oldest.
      group.firstSeen = row.updatedAt;
      if (group.ids.length < MAX_GROUP_IDS) {
        group.ids.push(row.id);
        if (row.state === 'failed') failed.push({ id: row.id, broker: row.broker });
      }
    }
  }
  const reasons = explain && failed.length > 0 ? await explain(failed) : null;
  for (const group of reasons && reasons.size > 0 ? groups.values() : []) {
    const byReason = new Map<string, string[]>();
    for (const id of group.ids) {
      const reason = reasons!.get(id);
      if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
    }
    if (byReason.size > 0) group.notRetryable = [...byReason].map(([reason, ids]) => ({ reason, ids }));
  }
  return {
    groups: [...groups.values()].sort((a, b) => b.count - a.count || Date.parse(b.lastSeen) - Date.parse(a.lastSeen)),
    scanned,
    complete: scanned < budget,
  };
}
