'use client';

import { useMe } from '@/lib/client/me';
import { useWorkers } from '@/lib/client/queries';
import { useNow } from '@/lib/client/use-now';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { WorkerRow } from './worker-row';

const head = 'px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';

function Skeleton() {
  return (
    <div aria-busy aria-label="Loading workers" className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      {Array.from({ length: 3 }, (_, i) => (
        <div key={i} className="flex animate-pulse items-center gap-4">
          <div className="h-4 w-48 rounded bg-slate-200 dark:bg-slate-800" />
          <div className="h-4 flex-1 rounded bg-slate-200 dark:bg-slate-800" />
        </div>
      ))}
    </div>
  );
}

/** Every worker that reported a heartbeat: Triage's own and real Celery workers (from their events). */
export function WorkersView() {
  const workers = useWorkers();
  const now = useNow();
  const { can } = useMe();
  if (workers.isPending) return <Skeleton />;
  if (workers.isError && !workers.data) {
    return <ErrorPanel title="Cannot list workers" message={`${workers.error.message}. Retrying every few seconds.`} onRetry={() => void workers.refetch()} />;
  }
  const list = workers.data.workers;
  if (list.length === 0) {
    return (
      <EmptyPanel>
        No worker has reported a heartbeat. Start one with{' '}
        <code className="font-mono text-sm">npm run worker -- --broker redis --queues celery</code>, or run a Celery worker with{' '}
        <code className="font-mono text-sm">-E</code> (task events on) so Triage can see it.
      </EmptyPanel>
    );
  }
  const stale = list.filter((w) => w.stale).length;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="worker-summary">
        {list.length} {list.length === 1 ? 'worker' : 'workers'}
        {stale > 0 ? <span className="font-semibold text-red-700 dark:text-red-400"> · {stale} stale (no heartbeat for three intervals)</span> : null}
        {workers.isError ? <span className="text-amber-700 dark:text-amber-400"> · refresh failing, showing the last answer</span> : null}
      </p>
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm" data-testid="worker-table">
          <thead className="bg-slate-50 dark:bg-slate-900/60">
            <tr>
              <th scope="col" className={`${head} text-left`}>Worker</th>
              <th scope="col" className={`${head} text-right`}>PID</th>
              <th scope="col" className={`${head} text-left`}>Broker</th>
              <th scope="col" className={`${head} text-left`} title="consumed in this order">Queues</th>
              <th scope="col" className={`${head} text-right`}>Concurrency</th>
              <th scope="col" className={`${head} text-right`} title="messages held per slot beyond the running one">Prefetch</th>
              <th scope="col" className={`${head} text-right`}>Active</th>
              <th scope="col" className={`${head} text-right`}>Done / failed</th>
              <th scope="col" className={`${head} text-left`}>Started</th>
              <th scope="col" className={`${head} text-left`}>Heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {list.map((worker) => (
              <WorkerRow key={worker.id} worker={worker} now={now} canControl={can('operator')} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
