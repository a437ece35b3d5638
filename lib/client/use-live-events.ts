'use client';

import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Health } from '@/lib/shared/types';
import { getJson } from './api';
import { LIVE_REFRESH_MS, type QueueList } from './queries';
import { queryKeys } from './query-keys';

/**
 * One EventSource per tab on `/api/v1/events` (the server's one poller, shared by every
 * tab), written straight into TanStack Query's cache so every view reading the queues or
 * health keys updates without polling.
 *
 * - `live`: the stream is open and delivering.
 * - `reconnecting`: it dropped; the browser retries (and views fall back to polling meanwhile).
 * - `paused`: the tab is hidden; the stream is closed to spare the server, and reopened (with
 *   the latest snapshot) when the tab is shown again.
 * - `unavailable`: the server refused the stream (or answered without one): views poll,
 *   and the stream is tried again after a while.
 * - `connecting` also covers browsers without EventSource: views poll.
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'unavailable';

export const EVENTS_PATH = '/api/v1/events';
/** After the server closed the stream for good (e.g. 401, a proxy without streaming), try again this late. */
const REOPEN_AFTER_MS = 15_000;

export function useLiveEvents(): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    // No EventSource: stay 'connecting' and let the queries poll.
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let reopenTimer: ReturnType<typeof setTimeout> | null = null;

    const close = () => {
      source?.close();
      source = null;
      if (reopenTimer) clearTimeout(reopenTimer);
      reopenTimer = null;
    };

    const open = () => {
      close();
      const es = new EventSource(EVENTS_PATH);
      source = es;
      es.addEventListener('queues', (event) => {
        const { queues, unavailable } = JSON.parse((event as MessageEvent<string>).data) as QueueList;
        queryClient.setQueryData<QueueList>(queryKeys.queues(), { queues, unavailable });
        setStatus('live');
      });
      es.addEventListener('health', (event) => {
        queryClient.setQueryData<Health>(queryKeys.health(), JSON.parse((event as MessageEvent<string>).data) as Health);
        setStatus('live');
      });
      es.addEventListener('open', () => setStatus((s) => (s === 'live' ? s : 'connecting')));
      es.addEventListener('error', () => {
        if (es.readyState === EventSource.CLOSED) {
          // The browser gave up (an HTTP error or a non-stream answer): poll, and try again later.
          setStatus('unavailable');
          source = null;
          reopenTimer = setTimeout(open, REOPEN_AFTER_MS);
        } else {
          setStatus('reconnecting');
        }
      });
    };

    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        close();
        setStatus('paused');
      } else if (!source) {
        setStatus('connecting');
        open();
      }
    };

    // A tab opened in the background connects when first shown (its queries poll meanwhile,
    // which TanStack Query suspends for hidden tabs anyway).
    if (document.visibilityState !== 'hidden') open();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      close();
    };
  }, [queryClient]);

  return status;
}

/**
 * The queue list and health, fed by the live stream while it is up and polled every 2 s
 * only while it is not (the fallback costs one request per tab, which the stream avoids).
 */
export function useLiveQueues(status: LiveStatus) {
  const streaming = status === 'live';
  return useQuery({
    queryKey: queryKeys.queues(),
    queryFn: ({ signal }) => getJson<QueueList>('/api/v1/queues', signal),
    refetchInterval: streaming || status === 'paused' ? false : LIVE_REFRESH_MS,
    staleTime: streaming ? Infinity : 0,
  });
}

export function useLiveHealth(status: LiveStatus) {
  const streaming = status === 'live';
  return useQuery({
    queryKey: queryKeys.health(),
    queryFn: ({ signal }) => getJson<Health>('/api/v1/health', signal),
    refetchInterval: streaming || status === 'paused' ? false : LIVE_REFRESH_MS,
    staleTime: streaming ? Infinity : 0,
  });
}
