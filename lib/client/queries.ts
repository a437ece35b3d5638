'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { AuditEntry, Health, QueueList, WorkerView } from '@/lib/shared/types';
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

export type { QueueList };

export function useQueues() {
  return useQuery({
    queryKey: queryKeys.queues(),
    queryFn: ({ signal }) => getJson<QueueList>('/api/v1/queues', signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

/** `GET /api/v1/history`: every queue's total backlog over time, `[t ms, depth]` per step. */
export interface BacklogHistory {
  range: string;
  stepSec: number;
  queues: { broker: string; queue: string; points: [number, number][] }[];
}

/** The sampler stores one sample per 10 s: refreshing faster would only re-read the same points. */
const HISTORY_REFRESH_MS = 10_000;

export function useBacklogHistory(range = '15m') {
  return useQuery({
    queryKey: queryKeys.backlogHistory(range),
    queryFn: ({ signal }) => getJson<BacklogHistory>(`/api/v1/history?range=${encodeURIComponent(range)}`, signal),
    refetchInterval: HISTORY_REFRESH_MS,
  });
}

/** `GET /api/v1/workers`: Celery heartbeats carry neither pool size nor prefetch, so 0 there means "not reported". */
export type WorkerInfo = WorkerView;

export function useWorkers() {
  return useQuery({
    queryKey: queryKeys.workers(),
    // Read from Triage's state Redis, never a broker: cheap enough to poll at the live pace.
    queryFn: ({ signal }) => getJson<{ workers: WorkerInfo[] }>('/api/v1/workers', signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
}

export type AuditEntryInfo = AuditEntry;

export interface AuditFilters {
  action?: string;
  actor?: string;
  broker?: string;
  queue?: string;
  /** Security log only: failed, denied, login_failed. */
  kind?: string;
}

/** The audit log (what changed) or the security log (failures, refusals, failed logins; admins only). */
export type AuditLogName = 'audit' | 'security';

const AUDIT_PAGE = 50;

/** The audit or security log newest first, a page at a time (`fetchNextPage` follows the cursor). */
export function useAudit(filters: AuditFilters, log: AuditLogName = 'audit') {
  return useInfiniteQuery({
    queryKey: queryKeys.audit({ ...filters, log }),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => {
      const search = new URLSearchParams({ limit: String(AUDIT_PAGE) });
      for (const [key, value] of Object.entries(filters)) if (value) search.set(key, value);
      if (pageParam) search.set('cursor', pageParam);
      const path = log === 'security' ? '/api/v1/security-log' : '/api/v1/audit';
      return getJson<{ entries: AuditEntryInfo[]; nextCursor: string | null }>(`${path}?${search.toString()}`, signal);
    },
    getNextPageParam: (last) => last.nextCursor,
    // New actions show up on the first page; older pages do not change.
    refetchInterval: 5_000,
  });
}
