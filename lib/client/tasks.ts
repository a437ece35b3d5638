'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FINAL_TASK_STATES, type TaskRecord } from '@/lib/shared/task-record';
import type { RevokeResult, RevokeSignal } from '@/lib/shared/revoke';
import type { EnqueueBody } from '@/lib/shared/types';
import { absentAsAnswer, ApiError, getJson, isApiError, postJson, queuePath } from './api';
import { LIVE_REFRESH_MS } from './queries';
import { queryKeys } from './query-keys';

/** One entry of `GET /api/v1/registry` (args and kwargs are JSON Schemas). */
export interface RegistryTask {
  name: string;
  description: string;
  maxRetries: number;
  example: { args: unknown[]; kwargs: Record<string, unknown> };
}

export interface Registry {
  tasks: RegistryTask[];
  defaultPriority: number;
}

export function useRegistry() {
  return useQuery({
    queryKey: queryKeys.registry(),
    queryFn: ({ signal }) => getJson<Registry>('/api/v1/registry', signal),
    // Changes only with a deploy.
    staleTime: Infinity,
  });
}

// An id nobody has seen yet may still be on its way to a worker: look again, but gently.
const UNKNOWN_TASK_REFRESH_MS = 5_000;

const retryKey = (id: string) => [...queryKeys.task(id), 'retry'] as const;

/**
 * `GET /api/v1/tasks/{id}`, refreshed while the task can still change: while it is not
 * final, and after a retry from this tab until the workers' record moves on from it.
 */
export function useTask(id: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: queryKeys.task(id),
    queryFn: async ({ signal }) => {
      const found = await getJson<TaskRecord | { id: string; unseen: true }>(absentAsAnswer(`/api/v1/tasks/${encodeURIComponent(id)}`, 'empty'), signal);
      // Unseen reads as the API's 404 would, without a failed request in the console.
      if ('unseen' in found) throw new ApiError(404, 'NOT_FOUND', `no task ${JSON.stringify(id)} has been seen by a worker yet`);
      return found;
    },
    refetchInterval: (query) => {
      if (query.state.error) return isApiError(query.state.error) && query.state.error.status === 404 ? UNKNOWN_TASK_REFRESH_MS : false;
      const task = query.state.data;
      if (!task || !FINAL_TASK_STATES.includes(task.state)) return LIVE_REFRESH_MS;
      const retriedAt = client
        .getMutationCache()
        .findAll({ mutationKey: retryKey(id) })
        .filter((m) => m.state.status !== 'error')
        .reduce((latest, m) => Math.max(latest, m.state.submittedAt), 0);
      return retriedAt > Date.parse(task.updatedAt) ? LIVE_REFRESH_MS : false;
    },
  });
}

export interface RetryResult {
  id: string;
  broker: string;
  queue: string;
  operationId: string;
}

export function useRetryTask(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationKey: retryKey(id),
    mutationFn: (priority: number | undefined) =>
      postJson<RetryResult>(`/api/v1/tasks/${encodeURIComponent(id)}/retry`, priority === undefined ? {} : { priority }),
    // The task runs again: follow it live from its next state on (useTask keeps polling).
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.task(id) }),
  });
}

export interface RevokeRequest {
  terminate: boolean;
  signal?: RevokeSignal;
}

/**
 * `POST /api/v1/tasks/{id}/revoke`; the task page then follows the task to its `revoked`
 * state, and the workers page sees a terminated task leave its worker's running list.
 */
export function useRevokeTask(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RevokeRequest) => postJson<RevokeResult>(`/api/v1/tasks/${encodeURIComponent(id)}/revoke`, body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.task(id) });
      void client.invalidateQueries({ queryKey: queryKeys.workers() });
    },
  });
}

/** What a bulk revoke acts on: ticked ids, or every task matching the explorer's filter (its URL parameters). */
export type BulkRevokeTarget = { ids: string[] } | { filter: Record<string, string> };

export type BulkRevokeRequest = RevokeRequest &
  BulkRevokeTarget & {
    /** Only count what the server finds of them: nothing is revoked. */
    dryRun?: boolean;
  };

/** `POST /api/v1/tasks/revoke` by ids or filter; a real one refreshes the explorer, the tasks and the workers. */
export function useRevokeTasks() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkRevokeRequest) => postJson<RevokeResult>('/api/v1/tasks/revoke', body),
    onSuccess: (result, body) => {
      if (result.dryRun) return;
      // By filter the ids are the server's: every task page may have changed.
      const tasks = 'ids' in body ? body.ids.map((id) => queryKeys.task(id)) : [queryKeys.tasks()];
      for (const queryKey of [queryKeys.taskLists(), queryKeys.workers(), ...tasks]) void client.invalidateQueries({ queryKey });
    },
  });
}

export interface EnqueueTarget {
  broker: string;
  queue: string;
}

export function useEnqueue() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ target, body }: { target: EnqueueTarget; body: EnqueueBody }) =>
      postJson<{ ids: string[] }>(queuePath(target.broker, target.queue, '/tasks'), body),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.queues() }),
  });
}
