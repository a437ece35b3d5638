'use client';

import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { isApiError } from '@/lib/client/api';
import { useMe } from '@/lib/client/me';
import { queryKeys } from '@/lib/client/query-keys';
import { useLiveQueue, useMessagePage } from '@/lib/client/queue-queries';
import { LiveIndicator, type LiveState } from '../live-indicator';
import { ErrorPanel } from '../state-panels';
import { ArchivesPanel } from './archives-panel';
import { BacklogChart } from './backlog-chart';
import { DeleteDialog } from './delete-dialog';
import { DrainDialog, RestoreDialog } from './drain-dialog';
import { MessageBrowser, apiFilters, visibleMessages } from './message-browser';
import { MoveDialog } from './move-dialog';
import { PurgeDialog } from './purge-dialog';
import { QueueHeader } from './queue-header';
import { QueueToolbar, type DialogKind } from './queue-toolbar';
import { ReprioritizeDialog } from './reprioritize-dialog';
import type { Target } from '@/lib/client/queue-selection';
import { useQueueUrl } from './use-queue-url';
import { useSelection } from './use-selection';

function liveState(stream: ReturnType<typeof useLiveQueue>['stream'], failed: boolean): LiveState {
  if (stream === 'paused') return 'paused';
  if (stream === 'disconnected') return 'disconnected';
  if (stream === 'reconnecting' || failed) return 'reconnecting';
  if (stream === 'live') return 'live';
  return 'connecting';
}

function QueueSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading the queue">
      <div className="h-48 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" />
      <div className="h-64 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" />
    </div>
  );
}

export function QueueView({ broker, name }: { broker: string; name: string }) {
  const [url, setUrl] = useQueueUrl();
  const live = useLiveQueue(broker, name);
  const { can } = useMe();
  const queue = live.queue;
  const filters = apiFilters(url);
  // Auto-refresh only where a read changes nothing (Redis): a RabbitMQ read requeues messages.
  const page = useMessagePage(broker, name, filters, queue?.capabilities.nonDestructiveBrowse === true);
  const messages = visibleMessages(page.data, url);
  // A selection belongs to one filter (across its pages): a new filter starts empty.
  const selection = useSelection(messages, JSON.stringify([url.priority, url.task, url.q, url.id]));
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const queryClient = useQueryClient();
  // The live stream says the queue changed: re-read the page now, not at the next poll. Redis
  // only: a RabbitMQ read requeues messages, so there the operator refreshes on purpose.
  const changed = queue?.capabilities.nonDestructiveBrowse ? JSON.stringify(queue.byPriority) : null;
  useEffect(() => {
    if (changed !== null) void queryClient.invalidateQueries({ queryKey: [...queryKeys.queue(broker, name), 'messages'] });
  }, [changed, queryClient, broker, name]);

  if (!queue) {
    if (live.isPending) return <QueueSkeleton />;
    const notFound = isApiError(live.error) && live.error.status === 404;
    return (
      <ErrorPanel
        title={notFound ? `No queue ${name} on ${broker}` : 'Cannot read the queue'}
        message={notFound ? 'It does not exist (yet): enqueue a task to create it, or pick a queue on the overview.' : (live.error?.message ?? 'unknown error')}
      />
    );
  }

  const target: Target | null = selection.matching
    ? { kind: 'matching', match: selection.matching.match, count: selection.matching.count }
    : selection.ids.size > 0
      ? { kind: 'ids', ids: [...selection.ids] }
      : null;
  const brokers = [...new Set([queue.broker, ...live.queues.map((q) => q.broker)])];
  const closeSelectionDialog = () => {
    setDialog(null);
    // The selected messages have moved or gone: a stale selection would only fail next time.
    selection.clear();
  };

  return (
    <div className="space-y-6">
      <QueueHeader
        queue={queue}
        liveIndicator={<LiveIndicator state={liveState(live.stream, live.error !== null)} updatedAt={live.updatedAt} />}
        toolbar={<QueueToolbar queue={queue} target={target} onOpen={setDialog} />}
      />
      <ArchivesPanel queue={queue} />
      <BacklogChart queue={queue} range={url.range} onRangeChange={(range) => setUrl({ range })} />
      <MessageBrowser
        queue={queue}
        url={url}
        setUrl={setUrl}
        page={page}
        messages={messages}
        selection={selection}
        selectable={can('operator')}
      />
      {dialog === 'reprioritize' && target ? <ReprioritizeDialog queue={queue} target={target} onClose={closeSelectionDialog} /> : null}
      {dialog === 'move' && target ? (
        <MoveDialog queue={queue} target={target} queues={live.queues} brokers={brokers} onClose={closeSelectionDialog} />
      ) : null}
      {dialog === 'delete' && target ? <DeleteDialog queue={queue} target={target} onClose={closeSelectionDialog} /> : null}
      {dialog === 'drain' ? <DrainDialog queue={queue} queues={live.queues} brokers={brokers} onClose={() => setDialog(null)} /> : null}
      {dialog === 'restore' ? <RestoreDialog queue={queue} queues={live.queues} brokers={brokers} onClose={() => setDialog(null)} /> : null}
      {dialog === 'purge' ? <PurgeDialog queue={queue} onClose={() => setDialog(null)} /> : null}
    </div>
  );
}
