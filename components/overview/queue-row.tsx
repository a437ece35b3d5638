'use client';

import { memo, type Ref } from 'react';
import Link from 'next/link';
import { bandWaits, type BandWait } from '@/lib/shared/bands';
import type { Queue } from '@/lib/shared/types';
import { UNKNOWN, formatAge, formatCount, formatRate, rangeLabel } from '../format';
import { PriorityBar, PriorityCounts } from '../priority-bar';
import { BandGrid } from './band-grid';
import { BandWaitTimes } from './band-wait-times';
import { Sparkline } from './sparkline';
import { queueHref } from '../queue/queue-href';
import { WarningList } from '../warning-list';
import { SloBadge } from '../slos/slo-badge';

const cell = 'px-3 py-3 align-top';
const numberCell = `${cell} text-right tabular-nums whitespace-nowrap`;

function Rates({ queue }: { queue: Queue }) {
  const enqueue = formatRate(queue.rates.enqueue);
  const dequeue = formatRate(queue.rates.dequeue);
  // Why a rate is what it is, or why it is unknown: the broker's statistics or Triage's own sampling.
  const basis = queue.rates.basis;
  if (enqueue === null && dequeue === null) return <span title={basis ?? 'the broker reports no rates'}>{UNKNOWN}</span>;
  return (
    <span className="inline-flex flex-col items-end text-xs leading-5" title={basis}>
      <span data-testid={`queue-rate-in-${queue.broker}-${queue.name}`}>in {enqueue ?? UNKNOWN}</span>
      <span data-testid={`queue-rate-out-${queue.broker}-${queue.name}`}>out {dequeue ?? UNKNOWN}</span>
    </span>
  );
}

/** One band's wait: its oldest task's age, "none" when nothing waits in it. */
function waitText(wait: BandWait): { text: string; title: string } {
  if (wait.depth === 0) return { text: 'none', title: 'nothing waiting' };
  if (wait.oldestAgeSec === null) {
    return { text: UNKNOWN, title: `${formatCount(wait.depth)} waiting; their enqueue time is unknown (the broker reports only the next message’s, or the producer set none)` };
  }
  const age = formatAge(wait.oldestAgeSec);
  return wait.partial
    ? { text: `≥ ${age}`, title: `${formatCount(wait.depth)} waiting; some have no known enqueue time, so the oldest may be older` }
    : { text: age, title: `${formatCount(wait.depth)} waiting; the oldest for ${age}` };
}

/** The oldest wait per band: a P9 backlog is normal, urgent work waiting is an incident. */
function BandWaits({ queue, id }: { queue: Queue; id: string }) {
  const waits = bandWaits(queue);
  return (
    <BandGrid
      cell={(band) => {
        const alert = band === 'high' && queue.highBandAlert;
        return {
          ...waitText(waits[band]),
          testId: `queue-wait-${id}-${band}`,
          // A fixed width keeps the band names aligned from row to row.
          className: `min-w-16 ${alert ? 'font-bold text-red-700 dark:text-red-400' : waits[band].depth === 0 ? 'text-slate-400 dark:text-slate-500' : ''}`,
        };
      }}
    />
  );
}

/** The row's flag when urgent work has waited past the configured threshold. */
function HighBandAlert({ queue, id }: { queue: Queue; id: string }) {
  const alert = queue.highBandAlert;
  if (!alert) return null;
  return (
    <p
      data-testid={`queue-alert-${id}`}
      className="mt-1.5 inline-block rounded bg-red-600 px-1.5 py-0.5 text-xs font-semibold text-white"
      title="The oldest high-priority (P0–2) task has waited longer than the alert threshold (TRIAGE_HIGH_BAND_ALERT_SEC)"
    >
      P0–2 waiting {formatAge(alert.oldestAgeSec)}, over {formatAge(alert.thresholdSec)}
    </p>
  );
}

function Lanes({ queue }: { queue: Queue }) {
  if (!queue.lanes?.length) return null;
  return (
    <ol className="mt-1.5 space-y-0.5 text-xs text-slate-600 dark:text-slate-400" title="consumed strictly in this order">
      {queue.lanes.map((lane, i) => (
        <li key={lane.queue} className="flex gap-1.5 whitespace-nowrap tabular-nums">
          <span aria-hidden className="text-slate-400 dark:text-slate-500">{i + 1}.</span>
          <span className="font-mono">{lane.queue}</span>
          <span className="text-slate-400 dark:text-slate-500">P{rangeLabel(lane.priorities)}</span>
          <span className="font-semibold text-slate-700 dark:text-slate-300">{formatCount(lane.depth)}</span>
        </li>
      ))}
    </ol>
  );
}

interface QueueRowProps {
  queue: Queue;
  scale: number;
  history?: readonly [number, number][];
  /** Position among the listed rows, when only some are rendered (see QueueTable). */
  index?: number;
  measureRef?: Ref<HTMLTableRowElement>;
}

/**
 * Memoized: the listing refreshes every couple of seconds and TanStack Query hands back the
 * very same object for a queue whose numbers did not change, so only changed rows render.
 */
export const QueueRow = memo(function QueueRow({ queue, scale, history, index, measureRef }: QueueRowProps) {
  const id = `${queue.broker}-${queue.name}`;
  return (
    <tr
      ref={measureRef}
      data-index={index}
      // Row 1 is the header row.
      aria-rowindex={index === undefined ? undefined : index + 2}
      data-testid={`queue-row-${id}`}
      data-alert={queue.highBandAlert ? 'true' : 'false'}
      className={`border-t border-slate-200 dark:border-slate-800 ${queue.highBandAlert ? 'bg-red-50 shadow-[inset_4px_0_0] shadow-red-600 dark:bg-red-950/40' : ''}`}
    >
      <td className={`${cell} min-w-44 sm:min-w-60`}>
        <div className="flex flex-wrap items-center gap-1.5">
          <Link
            href={queueHref(queue.broker, queue.name)}
            className="font-mono font-semibold break-all text-sky-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-300"
          >
            {queue.name}
          </Link>
          <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
            {queue.broker}
          </span>
          {queue.lanes?.length ? (
            <span className="rounded bg-violet-100 px-1.5 py-0.5 text-xs text-violet-800 dark:bg-violet-950 dark:text-violet-300">
              lane group
            </span>
          ) : null}
          {queue.paused ? (
            <span className="rounded bg-amber-500 px-1.5 py-0.5 text-xs font-bold text-black uppercase">paused</span>
          ) : null}
          {queue.unavailable ? (
            <span title={queue.unavailable} className="rounded bg-red-700 px-1.5 py-0.5 text-xs font-bold text-white uppercase">
              unavailable
            </span>
          ) : null}
          <SloBadge broker={queue.broker} queue={queue.name} />
        </div>
        {/* Phones see the queue column first and may never scroll to Depth: repeat the key numbers here. */}
        <p className="mt-1 text-xs text-slate-600 tabular-nums sm:hidden dark:text-slate-400">
          <span className="font-semibold text-slate-900 dark:text-slate-100">{formatCount(queue.depth)}</span> waiting · high{' '}
          {waitText(bandWaits(queue).high).text} · oldest {formatAge(queue.oldestAgeSec)}
        </p>
        <HighBandAlert queue={queue} id={id} />
        <Lanes queue={queue} />
        <WarningList warnings={queue.warnings} />
      </td>
      <td className={`${cell} w-full min-w-48 sm:min-w-64`}>
        <PriorityBar queue={queue} scale={scale} />
        <PriorityCounts queue={queue} />
      </td>
      <td className={`${numberCell} text-lg font-semibold`}>
        {/* Counts of a queue the broker cannot serve are unknown, not zero. */}
        <span data-testid={`queue-depth-${id}`} title={queue.unavailable ?? undefined}>
          {queue.unavailable ? UNKNOWN : formatCount(queue.depth)}
        </span>
      </td>
      <td className={numberCell}>{formatCount(queue.inFlight)}</td>
      <td className={numberCell}>{queue.consumers === null ? UNKNOWN : formatCount(queue.consumers)}</td>
      <td className={numberCell}>
        <BandWaits queue={queue} id={id} />
      </td>
      <td className={numberCell}>
        <BandWaitTimes queue={queue} id={id} />
      </td>
      <td className={`${cell} whitespace-nowrap`} data-testid={`queue-sparkline-${id}`}>
        <Sparkline points={history} label={queue.name} />
      </td>
      <td className={numberCell}>
        <Rates queue={queue} />
      </td>
    </tr>
  );
});
