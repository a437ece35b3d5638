'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { WorkerTaskRef } from '@/lib/shared/types';
import { absentAsAnswer, getJson, postJson } from './api';
import { LIVE_REFRESH_MS } from './queries';
import { queryKeys } from './query-keys';

/** GET /api/v1/workers/{id}/tasks */
export interface WorkerTasksInfo {
  worker: string;
  answered: boolean;
  /** The worker is no longer known (it stopped). */
  gone?: true;
  active: WorkerTaskRef[];
  reserved: WorkerTaskRef[];
  scheduled: WorkerTaskRef[];
}

/** One reply of POST /api/v1/workers/{id}/{command}. */
export interface WorkerReplyInfo {
  command: string;
  answered: boolean;
  ok?: string;
  error?: string;
}

export type WorkerCommandName = 'shutdown' | 'pool' | 'autoscale' | 'rate-limit' | 'time-limit' | 'consumer';

const workerPath = (id: string, suffix: string) => `/api/v1/workers/${encodeURIComponent(id)}/${suffix}`;

/** What the worker runs and holds now, at the live pace (a Celery worker is asked each time). */
export function useWorkerTasks(id: string) {
  return useQuery({
    queryKey: queryKeys.workerTasks(id),
    // The worker may stop while its row is shown: answered as gone, not a 404.
    queryFn: ({ signal }) => getJson<WorkerTasksInfo>(absentAsAnswer(workerPath(id, 'tasks'), 'empty'), signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** Sends one worker command; the workers list and the worker's tasks are refreshed after it. */
export function useWorkerCommand(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ command, body }: { command: WorkerCommandName; body: Record<string, unknown> }) =>
      postJson<{ worker: string; replies: WorkerReplyInfo[] }>(workerPath(id, command), body),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.workers() }),
  });
}
