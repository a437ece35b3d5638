'use client';

import { useMemo, useState } from 'react';
import dynamic from 'next/dynamic';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { SearchInput } from '../ui/input';
import { QueueRow } from './queue-row';
import { SHOW_PARKING_KEY, WINDOWED_ABOVE, isEmptyParkingQueue, queueKey, type BacklogSeries } from './queue-list';

const head = 'px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';

// Loaded only for a long list: most installations never need the virtualizer's code.
const WindowedRows = dynamic(() => import('./queue-windowed-rows').then((m) => m.WindowedRows), { ssr: false });

// Stable order, so rows never jump between refreshes while the operator reads them.
function byBrokerThenName(a: Queue, b: Queue): number {
  return a.broker.localeCompare(b.broker) || a.name.localeCompare(b.name);
}

/** Queues whose name, broker or lane names contain every word of `filter` (any case). */
function matching(queues: readonly Queue[], filter: string): readonly Queue[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return queues;
  return queues.filter((queue) => {
    const text = [queue.name, queue.broker, ...(queue.lanes ?? []).map((lane) => lane.queue)].join(' ').toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

/** The operator's last choice, kept across reloads (the table only renders in the browser). */
function useShowParking(): [boolean, (show: boolean) => void] {
  const [show, setShow] = useState(() => {
    try {
      return typeof window !== 'undefined' && window.localStorage.getItem(SHOW_PARKING_KEY) === '1';
    } catch {
      return false;
    }
  });
  const choose = (next: boolean) => {
    setShow(next);
    try {
      if (next) window.localStorage.setItem(SHOW_PARKING_KEY, '1');
      else window.localStorage.removeItem(SHOW_PARKING_KEY);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  };
  return [show, choose];
}

/** `history`: each queue's backlog series by queueKey (absent while it loads or when it failed). */
export function QueueTable({ queues, history }: { queues: Queue[]; history?: BacklogSeries }) {
  const [filter, setFilter] = useState('');
  const [showParking, setShowParking] = useShowParking();
  const parking = useMemo(() => queues.filter(isEmptyParkingQueue).length, [queues]);
  const sorted = useMemo(
    () => (showParking ? [...queues] : queues.filter((q) => !isEmptyParkingQueue(q))).sort(byBrokerThenName),
    [queues, showParking],
  );
  // Bars stay comparable whatever the filter shows.
  const deepest = useMemo(() => queues.reduce((most, q) => Math.max(most, q.depth), 1), [queues]);
  const listed = useMemo(() => matching(sorted, filter), [sorted, filter]);
  const windowed = listed.length > WINDOWED_ABOVE;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        <label htmlFor="queue-filter" className="sr-only">
          Filter queues
        </label>
        <SearchInput
          id="queue-filter"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          placeholder="Filter queues by name or broker"
          className="w-full sm:w-80"
        />
        <p className="text-sm text-slate-600 tabular-nums dark:text-slate-400" aria-live="polite" data-testid="queue-count">
          {listed.length === sorted.length
            ? `${formatCount(sorted.length)} ${sorted.length === 1 ? 'queue' : 'queues'}`
            : `${formatCount(listed.length)} of ${formatCount(sorted.length)} queues`}
        </p>
        {parking > 0 ? (
          <label className="flex items-center gap-1.5 text-sm text-slate-600 dark:text-slate-400" title="drain and dead-letter queues (.drained, .dead) holding nothing">
            <input type="checkbox" checked={showParking} onChange={(event) => setShowParking(event.target.checked)} className="size-4" />
            Show {formatCount(parking)} empty parking {parking === 1 ? 'queue' : 'queues'}
          </label>
        ) : null}
      </div>
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm" aria-rowcount={windowed ? listed.length + 1 : undefined}>
          <thead className="bg-slate-50 dark:bg-slate-900/60">
            <tr>
              <th scope="col" className={`${head} text-left`}>Queue</th>
              <th scope="col" className={`${head} text-left`}>Waiting by priority</th>
              <th scope="col" className={`${head} text-right`}>Depth</th>
              <th scope="col" className={`${head} text-right`} title="delivered to a consumer, not yet acknowledged">
                In flight
              </th>
              <th scope="col" className={`${head} text-right`}>Consumers</th>
              <th scope="col" className={`${head} text-right`} title="how long the oldest waiting task of each band has waited: high P0–2, medium P3–5, low P6–9">
                Oldest wait
              </th>
              <th scope="col" className={`${head} text-right`} title="p50 / p95 of how long each band's tasks (high, medium, low, as in Oldest wait) waited before they started, last 15 minutes (estimated from histogram buckets)">
                Waited p50 / p95
              </th>
              <th scope="col" className={`${head} text-left`} title="total backlog over the last 15 minutes">
                Last 15 min
              </th>
              <th scope="col" className={`${head} text-right`}>Rate</th>
            </tr>
          </thead>
          {windowed ? (
            <WindowedRows queues={listed} deepest={deepest} history={history} />
          ) : (
            <tbody>
              {listed.map((queue) => (
                <QueueRow key={queueKey(queue.broker, queue.name)} queue={queue} scale={queue.depth / deepest} history={history?.get(queueKey(queue.broker, queue.name))} />
              ))}
            </tbody>
          )}
        </table>
        {listed.length === 0 ? (
          <p className="px-3 py-6 text-center text-sm text-slate-600 dark:text-slate-400">
            No queue matches “{filter.trim()}”.{!showParking && parking > 0 ? ' Empty parking queues are hidden.' : ''}
          </p>
        ) : null}
      </div>
    </div>
  );
}

export function QueueTableSkeleton() {
  return (
    <div
      aria-busy
      aria-label="Loading queues"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      {Array.from({ length: 4 }, (_, i) => (
        <div key={i} className="flex animate-pulse items-center gap-4">
          <div className="h-4 w-40 rounded bg-slate-200 dark:bg-slate-800" />
          <div className="h-3 flex-1 rounded-full bg-slate-200 dark:bg-slate-800" />
          <div className="h-4 w-12 rounded bg-slate-200 dark:bg-slate-800" />
        </div>
      ))}
    </div>
  );
}
