'use client';

import { useMemo } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { isApiError } from '@/lib/client/api';
import { formatTime } from '@/lib/client/time-format';
import { useBacklogHistory, type QueueList } from '@/lib/client/queries';
import { LIVE_REFRESH_MS } from '@/lib/client/queries';
import { useNow } from '@/lib/client/use-now';
import { DISCONNECTED_AFTER_MS, SILENT_AFTER_MS, useLiveEvents, useLiveHealth, useLiveQueues, type LiveStatus } from '@/lib/client/use-live-events';
import { BrokerStatus, BrokerStatusSkeleton } from './broker-status';
import { LiveIndicator, NumbersAge, isLost, type LiveState } from '../live-indicator';
import { PriorityLegend } from '../priority-legend';
import { queueKey } from './queue-list';
import { QueueTable, QueueTableSkeleton } from './queue-table';
import { EmptyPanel, ErrorPanel } from '../state-panels';

/** Without the stream the views poll every LIVE_REFRESH_MS: numbers older than this mean the polls go unanswered. */
const POLL_SILENT_MS = LIVE_REFRESH_MS + SILENT_AFTER_MS;

/**
 * The stream watches its own heartbeat; while views poll instead (no stream), the answers'
 * age says whether the server still answers: a frozen server fails no request, it just never
 * answers. A failed fetch (even one still being retried) means the screen may be stale: say so at once.
 */
function liveState(queries: UseQueryResult<unknown>[], stream: LiveStatus, ageMs: number): LiveState {
  if (stream === 'paused') return 'paused';
  if (stream === 'disconnected' || stream === 'reconnecting') return stream;
  const failing = queries.some((q) => q.isError || q.failureCount > 0);
  if (queries.some((q) => q.isPending) && !failing) return 'connecting';
  if (stream !== 'live') {
    if (ageMs >= DISCONNECTED_AFTER_MS) return 'disconnected';
    if (failing || ageMs >= POLL_SILENT_MS) return 'reconnecting';
  }
  return failing ? 'reconnecting' : 'live';
}

function BrokerStrip({ health, stale }: { health: ReturnType<typeof useLiveHealth>; stale: boolean }) {
  if (health.data) {
    return (
      <div className="flex flex-wrap gap-3">
        {health.data.brokers.map((broker) => (
          <BrokerStatus key={broker.id} broker={broker} stale={stale} />
        ))}
      </div>
    );
  }
  if (health.isError) {
    return (
      <ErrorPanel
        title="Cannot read broker health"
        message={`${health.error.message}. Retrying every few seconds.`}
        onRetry={() => void health.refetch()}
      />
    );
  }
  return (
    <div className="flex flex-wrap gap-3">
      <BrokerStatusSkeleton />
      <BrokerStatusSkeleton />
    </div>
  );
}

function Unavailable({ list }: { list: QueueList['unavailable'] }) {
  if (!list?.length) return null;
  return (
    <ul className="space-y-1 text-sm text-red-800 dark:text-red-300">
      {list.map(({ broker, error }) => (
        <li key={broker}>
          Queues on <span className="font-semibold">{broker}</span> are not listed: {error}
        </li>
      ))}
    </ul>
  );
}

function QueueSection({ queues }: { queues: ReturnType<typeof useLiveQueues> }) {
  const history = useBacklogHistory('15m');
  const series = useMemo(
    () => new Map(history.data?.queues.map((q) => [queueKey(q.broker, q.queue), q.points] as const) ?? []),
    [history.data],
  );
  if (queues.data) {
    if (queues.data.queues.length === 0) {
      return (
        <EmptyPanel>
          No queues found. Enqueue a task with{' '}
          <code className="font-mono text-sm">POST /api/v1/queues/{'{broker}'}/{'{queue}'}/tasks</code> or start the
          demo with <code className="font-mono text-sm">npm run demo</code>
        </EmptyPanel>
      );
    }
    return <QueueTable queues={queues.data.queues} history={series} />;
  }
  if (queues.isError) {
    return (
      <ErrorPanel
        title="Cannot list queues"
        message={queues.error.message}
        onRetry={() => void queues.refetch()}
      />
    );
  }
  return <QueueTableSkeleton />;
}

/** Old numbers must never pass for current ones: say how old they are and why. */
function StaleBanner({ error, updatedAt }: { error: Error | null; updatedAt: number }) {
  const since = updatedAt ? ` from ${formatTime(updatedAt)}` : '';
  return (
    <p
      role="alert"
      data-testid="stale-banner"
      className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200"
    >
      The numbers below are{since} (<NumbersAge updatedAt={updatedAt} />) and may be out of date:{' '}
      {error ? error.message : 'the Triage server does not answer'}. Retrying every few seconds.
    </p>
  );
}

export function Overview() {
  // Server-sent events from the server's one poller; 2 s polling only while the stream is down.
  const stream = useLiveEvents();
  const health = useLiveHealth(stream);
  const queues = useLiveQueues(stream);
  const now = useNow();
  const updatedAt = Math.min(health.dataUpdatedAt, queues.dataUpdatedAt);
  const state = liveState([health, queues], stream, updatedAt ? now - updatedAt : 0);
  const staleError = (health.data && health.error) || (queues.data && queues.error) || null;
  const stale = Boolean(staleError) || (isLost(state) && Boolean(health.data || queues.data));
  const apiDown = !health.data && !queues.data && health.isError && queues.isError;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold tracking-tight">Overview</h1>
        <LiveIndicator state={state} updatedAt={updatedAt} />
      </div>
      {stale ? <StaleBanner error={staleError} updatedAt={updatedAt} /> : null}
      {apiDown ? (
        <ErrorPanel
          title={isApiError(queues.error) && queues.error.status > 0 ? 'The Triage API answered with an error' : 'Cannot reach the Triage server'}
          message={`${queues.error.message}. Retrying every few seconds.`}
          onRetry={() => {
            void health.refetch();
            void queues.refetch();
          }}
        />
      ) : (
        <div className={stale ? 'space-y-6 opacity-60' : 'space-y-6'}>
          <section aria-labelledby="brokers-heading" className="space-y-2">
            <h2 id="brokers-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
              Brokers
            </h2>
            <BrokerStrip health={health} stale={stale} />
          </section>
          <section aria-labelledby="queues-heading" className="space-y-3">
            <div className="flex flex-wrap items-end justify-between gap-2">
              <h2 id="queues-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
                Queues
              </h2>
              <PriorityLegend />
            </div>
            <Unavailable list={queues.data?.unavailable} />
            <QueueSection queues={queues} />
          </section>
        </div>
      )}
    </div>
  );
}
