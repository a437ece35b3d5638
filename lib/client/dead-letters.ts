'use client';

import { useQueries } from '@tanstack/react-query';
import { isDeadQueue } from '@/lib/shared/parking';
import type { Message, MessagePage, Queue } from '@/lib/shared/types';
import { getJson, isApiError, postJson, queuePath } from './api';
import { newOperationId, withProgress, type OperationProgress } from './operations';
import { queryKeys } from './query-keys';

/** Messages read per dead-letter queue; the page says when a queue holds more. */
export const DEAD_PAGE_LIMIT = 500;

export interface DeadRow {
  broker: string;
  /** The dead-letter queue holding it. */
  queue: string;
  message: Message;
}

/**
 * The dead messages of every non-empty dead-letter queue. Each queue is re-read only when
 * its depth changes (the depth is part of the key), because browsing a RabbitMQ queue
 * fetches and requeues its messages: polling it would churn the broker for nothing.
 */
export function useDeadLetters(queues: readonly Queue[]) {
  const dead = queues.filter((q) => isDeadQueue(q.name) && q.depth > 0);
  const results = useQueries({
    queries: dead.map((q) => ({
      queryKey: [...queryKeys.deadLetters(), q.broker, q.name, q.depth] as const,
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        getJson<MessagePage>(`${queuePath(q.broker, q.name, '/messages')}?limit=${DEAD_PAGE_LIMIT}`, signal),
      placeholderData: (previous: MessagePage | undefined) => previous,
    })),
  });
  return dead.map((queue, i) => ({ queue, result: results[i]! }));
}

export type BulkAction = 'retry' | 'delete';

export interface GroupResult {
  broker: string;
  queue: string;
  selected: number;
  /** Retried or deleted. */
  done: number;
  error?: string;
}

export interface BulkProgress {
  group: number;
  groups: number;
  current: OperationProgress | null;
}

/** Selected rows per dead-letter queue: one control request each. */
export function groupRows(rows: readonly DeadRow[]): { broker: string; queue: string; ids: string[] }[] {
  const groups = new Map<string, { broker: string; queue: string; ids: string[] }>();
  for (const row of rows) {
    const key = `${row.broker}\u0000${row.queue}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { broker: row.broker, queue: row.queue, ids: [] }));
    group.ids.push(row.message.id);
  }
  return [...groups.values()];
}

/**
 * Retries (optionally at a new priority) or deletes the given rows, queue after queue. One
 * queue failing (e.g. a task already taken by someone else: the server changes nothing then)
 * does not stop the others; every group reports exactly what happened to it.
 */
export async function runBulk(
  action: BulkAction,
  rows: readonly DeadRow[],
  priority: number | null,
  onProgress: (p: BulkProgress) => void,
): Promise<GroupResult[]> {
  const groups = groupRows(rows);
  const results: GroupResult[] = [];
  for (const [index, group] of groups.entries()) {
    onProgress({ group: index, groups: groups.length, current: null });
    const operationId = newOperationId();
    const body = { ids: group.ids, operationId, ...(action === 'retry' && priority !== null ? { priority } : {}) };
    try {
      const answer = await withProgress(
        operationId,
        () => postJson<{ retried?: number; deleted?: number }>(queuePath(group.broker, group.queue, `/${action}`), body),
        (current) => onProgress({ group: index, groups: groups.length, current }),
      );
      results.push({ broker: group.broker, queue: group.queue, selected: group.ids.length, done: answer.retried ?? answer.deleted ?? 0 });
    } catch (error) {
      const message = isApiError(error) || error instanceof Error ? error.message : String(error);
      results.push({ broker: group.broker, queue: group.queue, selected: group.ids.length, done: 0, error: message });
    }
  }
  return results;
}
