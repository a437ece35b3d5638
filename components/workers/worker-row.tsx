'use client';

import Link from 'next/link';
import type { WorkerInfo } from '@/lib/client/queries';
import { UNKNOWN, formatCount } from '../format';
import { queueHref } from '../queue/queue-href';
import { TimeAgo } from '../time';
import { WarningList } from '../warning-list';
import { WorkerControls } from './worker-controls';
import { WorkerTasks } from './worker-tasks';

const cell = 'px-3 py-3 align-top';
const numberCell = `${cell} text-right tabular-nums whitespace-nowrap`;
const badge = 'rounded px-1.5 py-0.5 text-xs font-semibold';

/** Celery heartbeats do not report pool size or prefetch: 0 there means "not reported", not zero. */
function reported(n: number): string {
  return n > 0 ? formatCount(n) : UNKNOWN;
}

function isCelery(worker: WorkerInfo): boolean {
  return worker.id.startsWith('celery:');
}

function Badges({ worker }: { worker: WorkerInfo }) {
  return (
    <>
        <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          {isCelery(worker) ? 'celery' : 'triage'}
        </span>
        {worker.stale ? (
          <span data-testid="worker-stale" className={`${badge} bg-red-600 text-white`} title="missed three heartbeats in a row: probably dead">
            stale
          </span>
        ) : null}
        {worker.state === 'stopping' ? <span className={`${badge} bg-slate-500 text-white`}>stopping</span> : null}
        {worker.paused ? <span className={`${badge} bg-amber-500 text-black uppercase`}>paused</span> : null}
    </>
  );
}

const queueLink = 'font-mono break-words text-sky-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300';

function Queues({ worker }: { worker: WorkerInfo }) {
  if (worker.queues.length === 0) return <>{UNKNOWN}</>;
  const paused = new Set(worker.pausedQueues);
  return (
    <ol className="space-y-0.5 text-xs" title="consumed in this order">
      {worker.queues.map((queue, i) => (
        <li key={queue}>
          <div className="flex gap-1.5">
            <span aria-hidden className="text-slate-400 dark:text-slate-500">{i + 1}.</span>
            <Link href={queueHref(worker.broker, queue)} className={queueLink}>
              {queue}
            </Link>
            {paused.has(queue) ? <span className="text-amber-700 dark:text-amber-400">paused</span> : null}
          </div>
          {worker.lanes?.[queue]?.length ? (
            // A lane group: taken from lane after lane, most urgent first.
            <ol className="mt-0.5 ml-4 space-y-0.5 border-l border-slate-200 pl-2 dark:border-slate-700" aria-label={`lanes of ${queue}, in the order taken`} data-testid="worker-lanes">
              {worker.lanes[queue].map((lane) => (
                <li key={lane}>
                  <Link href={queueHref(worker.broker, lane)} className={queueLink}>
                    {lane}
                  </Link>
                </li>
              ))}
            </ol>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/** Columns of the workers table: the detail row under each worker spans them all. */
export const WORKER_COLUMNS = 10;

export function WorkerRow({ worker, now, canControl }: { worker: WorkerInfo; now: number; canControl: boolean }) {
  return (
    <>
      <tr
        data-testid={`worker-row-${worker.id}`}
        data-stale={worker.stale}
        className={`border-t border-slate-200 dark:border-slate-800 ${worker.stale ? 'bg-red-50/60 dark:bg-red-950/30' : ''}`}
      >
        <td className={`${cell} min-w-56`}>
          <div className="flex flex-wrap items-center gap-1.5">
            {/* Celery records carry their node name (celery@host) as the host name. */}
            <span className="font-mono font-semibold break-all" data-testid="worker-name">
              {worker.name ?? worker.hostname}
            </span>
            <Badges worker={worker} />
          </div>
          <div className="mt-0.5 font-mono text-xs break-all text-slate-500 dark:text-slate-400">
            {worker.name ? `on ${worker.hostname} · ` : ''}
            {worker.id}
            {worker.software ? ` · ${worker.software}` : ''}
          </div>
          <WarningList warnings={worker.warnings} testId="worker-warnings" />
        </td>
        <td className={numberCell}>{worker.pid > 0 ? worker.pid : UNKNOWN}</td>
        <td className={cell}>{worker.broker}</td>
        <td className={cell}>
          <Queues worker={worker} />
        </td>
        <td className={numberCell}>{reported(worker.concurrency)}</td>
        <td className={numberCell}>{reported(worker.prefetch)}</td>
        <td className={numberCell} data-testid="worker-active">{formatCount(worker.active)}</td>
        <td className={numberCell}>
          <span data-testid="worker-processed">{formatCount(worker.processed)}</span>
          <span className="text-slate-400 dark:text-slate-500"> / </span>
          <span className={worker.failed > 0 ? 'text-red-700 dark:text-red-400' : ''}>{formatCount(worker.failed)}</span>
        </td>
        <td className={`${cell} whitespace-nowrap`}>
          <TimeAgo at={worker.startedAt} now={now} />
        </td>
        <td
          className={`${cell} whitespace-nowrap tabular-nums ${worker.stale ? 'font-semibold text-red-700 dark:text-red-400' : ''}`}
        >
          <TimeAgo at={worker.lastHeartbeatAt} now={now} testId="worker-heartbeat" />
        </td>
      </tr>
      {/* What it runs and holds now, and (operators) its controls: under the row it belongs to. */}
      <tr data-testid={`worker-detail-${worker.id}`} className={worker.stale ? 'bg-red-50/60 dark:bg-red-950/30' : ''}>
        <td colSpan={WORKER_COLUMNS} className="px-3 pb-3">
          {/*
            The table scrolls sideways on a phone; the detail stays in view at the left, as wide
            as the screen, so its buttons wrap there instead of running off to the right.
          */}
          <div className="sticky left-3 max-w-[calc(100vw-3.5rem)] space-y-2 sm:static sm:max-w-none" data-testid="worker-detail-body">
            <WorkerTasks id={worker.id} now={now} canTerminate={canControl} />
            {canControl ? <WorkerControls workerId={worker.id} workerName={worker.name ?? worker.hostname} stale={worker.stale} /> : null}
          </div>
        </td>
      </tr>
    </>
  );
}
