'use client';

import type { Queue } from '@/lib/shared/types';
import { QueueRow } from './queue-row';

const head = 'px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';

// Stable order, so rows never jump between refreshes while the operator reads them.
function byBrokerThenName(a: Queue, b: Queue): number {
  return a.broker.localeCompare(b.broker) || a.name.localeCompare(b.name);
}

/** `history` maps `broker/queue` to its backlog series (absent while it loads or when it failed). */
export function QueueTable({ queues, history }: { queues: Queue[]; history?: ReadonlyMap<string, readonly [number, number][]> }) {
  const sorted = [...queues].sort(byBrokerThenName);
  const deepest = Math.max(1, ...queues.map((q) => q.depth));
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full text-sm">
        <thead className="bg-slate-50 dark:bg-slate-900/60">
          <tr>
            <th scope="col" className={`${head} text-left`}>Queue</th>
            <th scope="col" className={`${head} text-left`}>Waiting by priority</th>
            <th scope="col" className={`${head} text-right`}>Depth</th>
            <th scope="col" className={`${head} text-right`} title="delivered to a consumer, not yet acknowledged">
              In flight
            </th>
            <th scope="col" className={`${head} text-right`}>Consumers</th>
            <th scope="col" className={`${head} text-right`} title="age of the oldest waiting task">
              Oldest
            </th>
            <th scope="col" className={`${head} text-left`} title="total backlog over the last 15 minutes">
              Last 15 min
            </th>
            <th scope="col" className={`${head} text-right`}>Rate</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((queue) => (
            <QueueRow
              key={`${queue.broker}/${queue.name}`}
              queue={queue}
              scale={queue.depth / deepest}
              history={history?.get(`${queue.broker}/${queue.name}`)}
            />
          ))}
        </tbody>
      </table>
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
