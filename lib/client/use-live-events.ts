'use client';

import { useEffect, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Health, QueueList } from '@/lib/shared/types';
import { getJson } from './api';
import { LIVE_REFRESH_MS } from './queries';
import { queryKeys } from './query-keys';

/**
 * The live feed of `/api/v1/events` (the server's one poller, shared by every tab), written
 * straight into TanStack Query's cache so every view reading the queues or health keys
 * updates without polling. One stream per browser, not per tab (see useLiveEvents).
 *
 * - `live`: the stream is open and delivering (the server sends a heartbeat every second).
 * - `reconnecting`: it dropped, or carried nothing for SILENT_AFTER_MS (a frozen server keeps
 *   the connection open and never errors it); the stream is reopened and views poll meanwhile.
 * - `disconnected`: nothing arrived for DISCONNECTED_AFTER_MS; still retrying.
 * - `paused`: the tab is hidden; it keeps the newest numbers aside and shows them (without a
 *   request) when it is shown again.
 * - `unavailable`: the server refused the stream (or answered without one): views poll,
 *   and the stream is tried again after a while.
 * - `connecting` also covers browsers without EventSource: views poll.
 */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'disconnected' | 'paused' | 'unavailable';

export const EVENTS_PATH = '/api/v1/events';
/** After the server closed the stream for good (e.g. 401, a proxy without streaming), try again this late. */
const REOPEN_AFTER_MS = 15_000;
/**
 * The server sends something every second (its heartbeat, lib/server/sampler.ts): this much
 * silence means it stopped answering, whether or not the connection still looks open. The
 * slack (3 missed beats) keeps a busy server or browser from looking lost.
 */
export const SILENT_AFTER_MS = 4_000;
/** Silent this long: say disconnected, not merely reconnecting. */
export const DISCONNECTED_AFTER_MS = 15_000;
/** How often silence is checked: detection lands within this much of SILENT_AFTER_MS. */
const WATCH_EVERY_MS = 250;
const CHANNEL = 'triage-live';
const LOCK = 'triage-live-events';

type LiveEventType = 'queues' | 'health';
type LostStatus = 'reconnecting' | 'disconnected';

function lostAfter(silentMs: number, silentAfterMs = SILENT_AFTER_MS): LostStatus | null {
  if (silentMs >= DISCONNECTED_AFTER_MS) return 'disconnected';
  return silentMs >= silentAfterMs ? 'reconnecting' : null;
}
type Wire = { kind: 'event'; type: LiveEventType; data: string } | { kind: 'status'; status: LiveStatus } | { kind: 'hello' };

interface StreamHandlers {
  onEvent(type: LiveEventType, data: string): void;
  onStatus(status: LiveStatus): void;
}

/**
 * One EventSource, reopened after the browser gives up on it, and replaced when it carries
 * nothing for SILENT_AFTER_MS: a frozen server (or a dead network path) leaves the
 * connection open without ever erroring it, and the browser would wait on it forever.
 * Returns its closer.
 */
function openStream({ onEvent, onStatus }: StreamHandlers): () => void {
  let source: EventSource | null = null;
  let reopenTimer: ReturnType<typeof setTimeout> | null = null;
  let lastHeard = Date.now();
  let openedAt = 0;
  const open = () => {
    const es = new EventSource(EVENTS_PATH);
    source = es;
    openedAt = Date.now();
    const heard = () => {
      lastHeard = Date.now();
      onStatus('live');
    };
    for (const type of ['queues', 'health'] as const) {
      es.addEventListener(type, (event) => {
        onEvent(type, (event as MessageEvent<string>).data);
        heard();
      });
    }
    es.addEventListener('ping', heard);
    es.addEventListener('error', () => {
      if (es !== source) return;
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (an HTTP error or a non-stream answer): views poll; try again later.
        onStatus('unavailable');
        reopenTimer = setTimeout(open, REOPEN_AFTER_MS);
      } else {
        onStatus(lostAfter(Date.now() - lastHeard) ?? 'reconnecting');
      }
    });
  };
  open();
  const watchdog = setInterval(() => {
    if (!source || source.readyState === EventSource.CLOSED) return;
    const lost = lostAfter(Date.now() - lastHeard);
    if (!lost) return;
    onStatus(lost);
    if (Date.now() - openedAt >= SILENT_AFTER_MS) {
      source.close();
      open();
    }
  }, WATCH_EVERY_MS);
  return () => {
    clearInterval(watchdog);
    source?.close();
    if (reopenTimer) clearTimeout(reopenTimer);
  };
}

/**
 * Browsers allow about six HTTP/1.1 connections per server, shared by all tabs, and an
 * event stream holds one for good: twenty tabs with a stream each would starve every other
 * request. So the tabs of one browser elect a leader (Web Locks); only the leader opens the
 * stream and re-broadcasts it to the others (BroadcastChannel). When the leader closes,
 * the lock passes to another tab, which opens the stream. Browsers without these APIs get
 * one stream per tab.
 */
export function useLiveEvents(): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    // No EventSource: stay 'connecting' and let the queries poll.
    if (typeof EventSource === 'undefined') return;
    const latest = new Map<LiveEventType, string>();
    let streamStatus: LiveStatus = 'connecting';
    let hidden = document.visibilityState === 'hidden';

    const apply = (type: LiveEventType, data: string) => {
      latest.set(type, data);
      // A hidden tab keeps the newest numbers aside and renders them when shown again.
      if (hidden) return;
      if (type === 'queues') {
        const { queues, unavailable } = JSON.parse(data) as QueueList;
        queryClient.setQueryData<QueueList>(queryKeys.queues(), { queues, unavailable });
      } else {
        queryClient.setQueryData<Health>(queryKeys.health(), JSON.parse(data) as Health);
        // Health comes with every server poll, the queue list only when it changed: an
        // unchanged list is as current as this health (the numbers' age counts from here).
        const listed = queryClient.getQueryData<QueueList>(queryKeys.queues());
        if (listed) queryClient.setQueryData<QueueList>(queryKeys.queues(), listed);
      }
    };
    const show = (next: LiveStatus) => {
      streamStatus = next;
      setStatus(hidden ? 'paused' : next);
    };
    const onVisibility = () => {
      hidden = document.visibilityState === 'hidden';
      if (!hidden) for (const [type, data] of latest) apply(type, data);
      setStatus(hidden ? 'paused' : streamStatus);
    };
    document.addEventListener('visibilitychange', onVisibility);

    const shared = typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && 'locks' in navigator;
    if (!shared) {
      const close = openStream({ onEvent: apply, onStatus: show });
      return () => {
        document.removeEventListener('visibilitychange', onVisibility);
        close();
      };
    }

    const channel = new BroadcastChannel(CHANNEL);
    let closed = false;
    // The stream's timers can still report after this tab's cleanup: a closed channel throws.
    const post = (message: Wire) => {
      if (!closed) channel.postMessage(message);
    };
    let leading = false;
    let closeStream: (() => void) | null = null;
    let releaseLock: (() => void) | null = null;
    let lastHeard = Date.now();

    channel.onmessage = (event: MessageEvent<Wire>) => {
      const message = event.data;
      if (message.kind === 'hello') {
        // A tab just opened: give it the newest numbers now rather than at the next change.
        if (leading) {
          for (const [type, data] of latest) post({ kind: 'event', type, data });
          post({ kind: 'status', status: streamStatus });
        }
        return;
      }
      if (leading) return;
      lastHeard = Date.now();
      if (message.kind === 'event') {
        apply(message.type, message.data);
        show('live');
      } else {
        show(message.status);
      }
    };
    post({ kind: 'hello' });

    const waiting = new AbortController();
    navigator.locks
      .request(LOCK, { signal: waiting.signal }, () => {
        leading = true;
        closeStream = openStream({
          onEvent: (type, data) => {
            apply(type, data);
            post({ kind: 'event', type, data });
          },
          onStatus: (next) => {
            show(next);
            post({ kind: 'status', status: next });
          },
        });
        // Held until this tab goes away.
        return new Promise<void>((resolve) => (releaseLock = resolve));
      })
      .catch(() => undefined); // aborted while waiting: the tab closed first

    // The leader re-broadcasts every heartbeat: a follower that hears nothing says so itself
    // (the leader may be frozen, or a hidden tab whose timers the browser throttles).
    const watchdog = setInterval(() => {
      // A follower hears the leader's re-broadcasts (one a second) and the leader says itself when
      // the stream is lost; this covers a leader gone quiet (frozen, or hidden and throttled), with
      // the leader's own slack: three missed beats, and still within 5 s of the last one.
      const lost = leading ? null : lostAfter(Date.now() - lastHeard, SILENT_AFTER_MS);
      if (lost) show(lost);
    }, WATCH_EVERY_MS);

    return () => {
      closed = true;
      document.removeEventListener('visibilitychange', onVisibility);
      clearInterval(watchdog);
      waiting.abort();
      closeStream?.();
      releaseLock?.();
      channel.close();
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
