'use client';

import { useMemo } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import { isApiError } from '@/lib/client/api';
import { formatTime } from '@/lib/client/time-format';
import { useBacklogHistory, type QueueList } from '@/lib/client/queries';
import { useLiveEvents, useLiveHealth, useLiveQueues, type LiveStatus } from '@/lib/client/use-live-events';
import { BrokerStatus, BrokerStatusSkeleton } from './broker-status';
import { LiveIndicator, type LiveState } from './live-indicator';
import { PriorityLegend } from './priority-legend';
import { queueKey } from './queue-list';
import { QueueTable, QueueTableSkeleton } from './queue-table';
import { EmptyPanel, ErrorPanel } from './state-panels';

// A failed fetch (even one still being retried) means the screen may be stale: say so at once.
function liveState(queries: UseQueryResult<unknown>[], stream: LiveStatus): LiveState {
  if (stream === 'paused') return 'paused';
  if (stream === 'reconnecting' || queries.some((q) => q.isError || q.failureCount > 0)) return 'reconnecting';
  if (queries.some((q) => q.isPending)) return 'connecting';
  return 'live';
}

function BrokerStrip({ health }: { health: ReturnType<typeof useLiveHealth> }) {
  if (health.data) {
    return (
      <div className="flex flex-wrap gap-3">
        {health.data.brokers.map((broker) => (
          <BrokerStatus key={broker.id} broker={broker} />
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

function StaleBanner({ error, updatedAt }: { error: Error; updatedAt: number }) {
  const since = updatedAt ? ` from ${formatTime(updatedAt)}` : '';
  return (
    <p
      role="alert"
      className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200"
    >
      The numbers below are{since} and may be out of date: {error.message}. Retrying every few seconds.
    </p>
  );
}

export function Overview() {
  // Server-sent events from the server's one poller; 2 s polling only while the stream is down.
  const stream = useLiveEvents();
  const health = useLiveHealth(stream);
  const queues = useLiveQueues(stream);
  const updatedAt = Math.min(health.dataUpdatedAt, queues.dataUpdatedAt);
  // Old numbers must never pass for current ones: dim them and say why while fetches fail.
  const staleError = (health.data && health.error) || (queues.data && queues.error) || null;
  const apiDown = !health.data && !queues.data && health.isError && queues.isError;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold tracking-tight">Overview</h1>
        <LiveIndicator state={liveState([health, queues], stream)} updatedAt={updatedAt} />
      </div>
      {staleError ? <StaleBanner error={staleError} updatedAt={updatedAt} /> : null}
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
        <div className={staleError ? 'space-y-6 opacity-60' : 'space-y-6'}>
          <section aria-labelledby="brokers-heading" className="space-y-2">
            <h2 id="brokers-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
              Brokers
            </h2>
            <BrokerStrip health={health} />
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
