'use client';

import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ArchiveInfo, MessagePage, Queue } from '@/lib/shared/types';
import type { QueueWaitSeries } from '@/lib/shared/wait-times';
import { absentAsAnswer, getJson, postJson, queuePath } from './api';
import { newOperationId, operationPath, type OperationRecord } from './operations';
import { LIVE_REFRESH_MS } from './queries';
import { queryKeys, type MessageFilters } from './query-keys';
import { useLiveEvents, useLiveQueues, type LiveStatus } from './use-live-events';

/** Hooks of the queue page: the queue itself, its history, its messages, and bulk actions with progress. */

export type HistoryRange = '15m' | '1h' | '24h';
export const HISTORY_RANGES: readonly HistoryRange[] = ['15m', '1h', '24h'];

export interface HistoryPoint {
  t: number;
  byPriority: Record<string, number>;
  depth: number;
}

export interface HistorySeries {
  range: HistoryRange;
  stepSec: number;
  points: HistoryPoint[];
}

/**
 * One queue, read from the live queue list (the server's one poller over SSE, no broker
 * request per tab). Queues the list does not carry (a drain's parking queue before the next
 * listing) are read on their own.
 */
export function useLiveQueue(broker: string, name: string): {
  queue: Queue | undefined;
  /** Every listed queue (for target pickers). */
  queues: Queue[];
  stream: LiveStatus;
  isPending: boolean;
  error: Error | null;
  updatedAt: number;
} {
  const stream = useLiveEvents();
  const list = useLiveQueues(stream);
  const listed = list.data?.queues.find((q) => q.broker === broker && q.name === name);
  const single = useQuery({
    queryKey: queryKeys.queue(broker, name),
    queryFn: ({ signal }) => getJson<Queue>(queuePath(broker, name), signal),
    enabled: list.isSuccess && !listed,
    refetchInterval: LIVE_REFRESH_MS,
  });
  const queue = listed ?? single.data;
  return {
    queue,
    queues: list.data?.queues ?? [],
    stream,
    isPending: !queue && (list.isPending || single.isPending) && !list.isError && !single.isError,
    error: queue ? null : (single.error ?? list.error ?? null),
    updatedAt: listed ? list.dataUpdatedAt : single.dataUpdatedAt,
  };
}

/** Sampler history; re-read at the sampler's own pace (the route reads Triage's Redis, never a broker). */
const HISTORY_REFRESH_MS = 10_000;

export function useQueueHistory(broker: string, name: string, range: HistoryRange) {
  return useQuery({
    queryKey: queryKeys.history(broker, name, range),
    queryFn: ({ signal }) =>
      getJson<HistorySeries>(`${queuePath(broker, name, '/history')}?range=${encodeURIComponent(range)}`, signal),
    refetchInterval: HISTORY_REFRESH_MS,
    placeholderData: (previous) => previous,
  });
}

/** The queue's task waits minute by minute over the last 15 minutes; new starts land within a minute's bucket, so the sampler's pace is enough. */
export function useQueueWaitSeries(broker: string, name: string) {
  return useQuery({
    queryKey: queryKeys.waitSeries(broker, name),
    queryFn: ({ signal }) => getJson<QueueWaitSeries>(queuePath(broker, name, '/wait-times'), signal),
    refetchInterval: HISTORY_REFRESH_MS,
    placeholderData: (previous) => previous,
  });
}

// Archives change only by a purge or restore (which invalidate the queue) or by expiring.
const ARCHIVES_REFRESH_MS = 60_000;

/** The queue's purges that can still be restored, newest first. */
export function useArchives(broker: string, name: string) {
  return useQuery({
    queryKey: queryKeys.archives(broker, name),
    queryFn: ({ signal }) => getJson<{ archives: ArchiveInfo[] }>(queuePath(broker, name, '/archives'), signal),
    refetchInterval: ARCHIVES_REFRESH_MS,
  });
}

export function messagesSearch(filters: MessageFilters): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  return search.toString();
}

/**
 * A page of waiting messages. `live` re-reads it now and then (the queue page also re-reads it
 * whenever the live stream shows the queue changed); it is off on RabbitMQ, where a browse
 * fetches and requeues messages (they come back marked redelivered), so there the operator
 * refreshes on purpose.
 */
export function useMessagePage(broker: string, name: string, filters: MessageFilters, live: boolean) {
  return useQuery({
    queryKey: queryKeys.messages(broker, name, filters),
    queryFn: ({ signal }) => getJson<MessagePage>(`${queuePath(broker, name, '/messages')}?${messagesSearch(filters)}`, signal),
    refetchInterval: live ? LIVE_REFRESH_MS * 5 : false,
    placeholderData: (previous) => previous,
  });
}

/**
 * The count to show before a destructive action: the queue read on its own, where RabbitMQ
 * adds the exact AMQP depth (`details.exactDepth`) to its statistics, which lag by seconds.
 */
export function useExactDepth(broker: string, name: string, enabled: boolean, options: { missingAsEmpty?: boolean } = {}) {
  return useQuery({
    queryKey: [...queryKeys.queue(broker, name), 'exact-depth', options.missingAsEmpty === true] as const,
    queryFn: async ({ signal }) => {
      // A parking queue never drained into does not exist: depth 0, not a 404 in the console.
      const path = options.missingAsEmpty ? absentAsAnswer(queuePath(broker, name), 'empty') : queuePath(broker, name);
      const queue = await getJson<Pick<Queue, 'depth'> & { details?: Queue['details'] }>(path, signal);
      return typeof queue.details?.exactDepth === 'number' ? queue.details.exactDepth : queue.depth;
    },
    enabled,
    staleTime: 0,
  });
}

// Progress of a running bulk action; the route reads Triage's state Redis, not the broker.
const OPERATION_POLL_MS = 400;

function useOperation(id: string | null, running: boolean) {
  return useQuery({
    queryKey: queryKeys.operation(id ?? 'none'),
    // The record appears once the server has started the operation; until then it is `pending`.
    queryFn: ({ signal }) => getJson<OperationRecord>(operationPath(id!), signal),
    enabled: id !== null && running,
    refetchInterval: running ? OPERATION_POLL_MS : false,
  });
}

/**
 * Runs one control request (`POST path body`) with a fresh operation id, polls its progress
 * while it runs, and invalidates the queue's data when it ends (success or not: a failure
 * half-way may still have changed the queue).
 */
export function useControlAction<T>(broker: string, name: string, options: { tracked?: boolean } = {}) {
  const queryClient = useQueryClient();
  const [operationId, setOperationId] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: Record<string, unknown> }) => {
      const id = options.tracked === false ? null : newOperationId();
      setOperationId(id);
      return postJson<T>(path, id ? { ...body, operationId: id } : body);
    },
    onSettled: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.queues() }),
        queryClient.invalidateQueries({ queryKey: queryKeys.queue(broker, name) }),
      ]);
    },
  });
  const operation = useOperation(operationId, mutation.isPending);
  return {
    ...mutation,
    progress: mutation.isPending ? (operation.data?.progress ?? null) : null,
    reset: () => {
      setOperationId(null);
      mutation.reset();
    },
  };
}

/** What a dialog shows before it acts: a count, or the running count of a preview still reading. */
export interface PreviewState {
  count: number | null;
  pending: boolean;
  error: Error | null;
  /** While the preview reads the queue: its running count. */
  progress?: { scanned: number; matched: number } | null;
  /** `count` is a lower bound: the preview was stopped before the queue's end. */
  partial?: boolean;
  /** `count` comes from the broker's statistics (RabbitMQ's per-priority depth, seconds old). */
  estimate?: boolean;
}

export interface DryRunResult {
  matched: number;
  moved: number;
  /** Counted from broker statistics, not by reading. */
  estimate?: boolean;
  /** Stopped before the queue's end (an operation or a newer preview on the queue): at least `matched`. */
  partial?: boolean;
}

/**
 * A dry run of reprioritize or move: how many messages the body selects, changing nothing.
 * Keyed on the body, so editing the form re-counts. A dry run that has to read the queue
 * reports its running count (`preview.progress`), and `matched` is that count meanwhile, so
 * the operator may act before it ends.
 */
export function useDryRun(broker: string, name: string, action: 'reprioritize' | 'move', body: Record<string, unknown>, enabled: boolean) {
  const [operationId, setOperationId] = useState<string | null>(null);
  const query = useQuery({
    queryKey: [...queryKeys.queue(broker, name), 'dry-run', action, body] as const,
    queryFn: ({ signal }) => {
      const id = newOperationId();
      setOperationId(id);
      return postJson<DryRunResult>(queuePath(broker, name, `/${action}`), { ...body, dryRun: true, operationId: id }, signal);
    },
    enabled,
    staleTime: 0,
    gcTime: 0,
  });
  const counting = query.isFetching && !query.data;
  const operation = useOperation(operationId, counting);
  const progress = counting ? (operation.data?.progress ?? null) : null;
  const preview: PreviewState = {
    count: query.data?.matched ?? null,
    pending: query.isPending,
    error: query.error,
    progress,
    partial: query.data?.partial === true,
    estimate: query.data?.estimate === true,
  };
  return { ...query, preview, matched: query.data?.matched ?? progress?.matched ?? 0 };
}
