'use client';

import { useQuery } from '@tanstack/react-query';
import type { Health, Queue } from '@/lib/shared/types';
import { getJson } from './api';
import { queryKeys } from './query-keys';

/** Live refresh period: fast enough that a draining backlog visibly moves, slow enough to stay cheap. */
export const LIVE_REFRESH_MS = 2_000;

export function useHealth() {
  return useQuery({
    queryKey: queryKeys.health(),
    queryFn: ({ signal }) => getJson<Health>('/api/v1/health', signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** `GET /api/v1/queues`; `unavailable` (an addition to the contract) names brokers whose queues could not be listed. */
export interface QueueList {
  queues: Queue[];
  unavailable?: { broker: string; error: string }[];
}

export function useQueues() {
  return useQuery({
    queryKey: queryKeys.queues(),
    queryFn: ({ signal }) => getJson<QueueList>('/api/v1/queues', signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
}
