'use client';

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FailureGroups, RetryManyResult } from '@/lib/shared/task-failures';
import { TASK_FILTER_KEYS, type TaskFilterKey } from '@/lib/shared/task-filter';
import type { TaskListPage } from '@/lib/shared/task-summary';
import { getJson, postJson } from './api';
import { queryKeys } from './query-keys';

/** The explorer's filters as the URL and the API spell them: only set ones, in one order. */
export type TaskFilterParams = Partial<Record<TaskFilterKey, string>>;

export const TASK_PAGE_SIZE = 50;
/** The first page follows new executions; older pages, once opened, stay as they were read. */
const FIRST_PAGE_REFRESH_MS = 3_000;

export function taskFilterParams(search: URLSearchParams): TaskFilterParams {
  const out: TaskFilterParams = {};
  for (const key of TASK_FILTER_KEYS) {
    const value = search.get(key)?.trim();
    if (value) out[key] = value;
  }
  return out;
}

export function taskFilterSearch(filters: TaskFilterParams): string {
  const search = new URLSearchParams();
  for (const key of TASK_FILTER_KEYS) if (filters[key]) search.set(key, filters[key]);
  return search.toString();
}

/**
 * `GET /api/v1/tasks` newest first, one page at a time (`fetchNextPage` follows the cursor).
 * Only the first page refreshes live: with older pages open, a refresh would refetch them
 * all and rows would shift under the reader.
 */
export function useTaskList(filters: TaskFilterParams) {
  return useInfiniteQuery({
    queryKey: queryKeys.taskList(filters),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const search = new URLSearchParams(taskFilterSearch(filters));
      search.set('limit', String(TASK_PAGE_SIZE));
      if (pageParam) search.set('cursor', pageParam);
      return getJson<TaskListPage>(`/api/v1/tasks?${search.toString()}`, signal);
    },
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: (query) => ((query.state.data?.pages.length ?? 1) <= 1 ? FIRST_PAGE_REFRESH_MS : false),
  });
}

/** `GET /api/v1/tasks/failures`: failed and dead executions grouped by task and error, refreshed live. */
export function useFailureGroups(filters: TaskFilterParams) {
  return useQuery({
    queryKey: queryKeys.taskFailures(filters),
    queryFn: ({ signal }) => getJson<FailureGroups>(`/api/v1/tasks/failures?${taskFilterSearch(filters)}`, signal),
    refetchInterval: 5_000,
  });
}

/** `POST /api/v1/tasks/retry`: the tasks go back to their queues; the failures and the explorer refresh. */
export function useRetryTasks() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { ids: string[]; priority: number | null }) =>
      postJson<RetryManyResult>('/api/v1/tasks/retry', input.priority === null ? { ids: input.ids } : { ids: input.ids, priority: input.priority }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.taskFailures({}).slice(0, 2) });
      void client.invalidateQueries({ queryKey: queryKeys.taskList({}).slice(0, 2) });
      void client.invalidateQueries({ queryKey: queryKeys.queues() });
    },
  });
}
