'use client';

import type { WorkerInfo } from '@/lib/client/queries';
import { UNKNOWN, formatCount } from '../format';
import { TimeAgo } from '../time';
import { WarningList } from '../warning-list';

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

function Queues({ worker }: { worker: WorkerInfo }) {
  if (worker.queues.length === 0) return <>{UNKNOWN}</>;
  const paused = new Set(worker.pausedQueues);
  return (
    <ol className="space-y-0.5 text-xs" title="consumed in this order">
      {worker.queues.map((queue, i) => (
        <li key={queue} className="flex gap-1.5 whitespace-nowrap">
          <span aria-hidden className="text-slate-400 dark:text-slate-500">{i + 1}.</span>
          <span className="font-mono">{queue}</span>
          {paused.has(queue) ? <span className="text-amber-700 dark:text-amber-400">paused</span> : null}
        </li>
      ))}
    </ol>
  );
}

export function WorkerRow({ worker, now }: { worker: WorkerInfo; now: number }) {
  return (
    <tr
      data-testid={`worker-row-${worker.id}`}
      data-stale={worker.stale}
      className={`border-t border-slate-200 dark:border-slate-800 ${worker.stale ? 'bg-red-50/60 dark:bg-red-950/30' : ''}`}
    >
      <td className={`${cell} min-w-56`}>
        <div className="flex flex-wrap items-center gap-1.5">
          <span className="font-mono font-semibold break-all">{worker.hostname}</span>
          <Badges worker={worker} />
        </div>
        <div className="mt-0.5 font-mono text-xs break-all text-slate-500 dark:text-slate-400">
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
  );
}
