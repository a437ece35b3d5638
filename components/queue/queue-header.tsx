'use client';

import type { ReactNode } from 'react';
import type { Queue } from '@/lib/shared/types';
import { UNKNOWN, formatAge, formatCount, formatRate, rangeLabel } from '../format';
import { levelLabel, levelsOf } from '../levels';
import { PriorityBar, PriorityCounts } from '../priority-bar';
import { PriorityLegend } from '../priority-legend';
import { WarningList } from '../warning-list';
import { QueueSlos } from '../slos/slo-badge';

function Stat({ label, title, children, testId }: { label: string; title?: string; children: ReactNode; testId?: string }) {
  return (
    <div className="min-w-24" title={title}>
      <dt className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

/** Levels that hold several priorities, e.g. ["0–2", "3–5"]: a producer's 1 and 2 queue as 0 there. */
function collapsedLevels(queue: Queue): string[] {
  return levelsOf(queue)
    .map((level) => levelLabel(queue, level))
    .filter((label): label is string => label !== null && label.includes('–'));
}

function CollapsedNote({ queue }: { queue: Queue }) {
  const groups = collapsedLevels(queue);
  if (groups.length === 0) return null;
  const steps = Array.isArray(queue.details.steps) ? ` (steps ${JSON.stringify(queue.details.steps)})` : '';
  return (
    <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="collapsed-note">
      This queue stores priorities {groups.join(', ')} together{steps}: within each group they are delivered first in, first out, not by
      priority.
    </p>
  );
}

function Lanes({ queue }: { queue: Queue }) {
  if (!queue.lanes?.length) return null;
  return (
    <div>
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">Lanes, consumed strictly in this order</h3>
      <ol className="mt-1 flex flex-wrap gap-2 text-sm">
        {queue.lanes.map((lane, i) => (
          <li key={lane.queue} className="rounded-md border border-slate-200 px-2 py-1 tabular-nums dark:border-slate-700">
            <span className="text-slate-400">{i + 1}.</span> <span className="font-mono">{lane.queue}</span>{' '}
            <span className="text-slate-500 dark:text-slate-400">P{rangeLabel(lane.priorities)}</span>{' '}
            <span className="font-semibold">{formatCount(lane.depth)}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function QueueHeader({ queue, liveIndicator, toolbar }: { queue: Queue; liveIndicator: ReactNode; toolbar: ReactNode }) {
  const enqueueRate = formatRate(queue.rates.enqueue);
  const dequeueRate = formatRate(queue.rates.dequeue);
  return (
    <section aria-labelledby="queue-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <h1 id="queue-heading" className="font-mono text-2xl font-bold tracking-tight break-all">
            {queue.name}
          </h1>
          <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
            {queue.broker} · {queue.kind}
          </span>
          {queue.lanes?.length ? (
            <span className="rounded bg-violet-100 px-1.5 py-0.5 text-xs text-violet-800 dark:bg-violet-950 dark:text-violet-300">lane group</span>
          ) : null}
          {queue.paused ? (
            <span data-testid="paused-badge" className="rounded bg-amber-500 px-1.5 py-0.5 text-xs font-bold text-black uppercase">
              paused
            </span>
          ) : null}
        </div>
        {liveIndicator}
      </div>
      {toolbar}
      <div>
        <PriorityBar queue={queue} scale={1} />
        <PriorityCounts queue={queue} />
      </div>
      <dl className="flex flex-wrap gap-x-8 gap-y-3">
        <Stat label="Waiting" testId="queue-depth">
          {formatCount(queue.depth)}
        </Stat>
        <Stat label="In flight" title="delivered to a consumer, not yet acknowledged" testId="queue-inflight">
          {formatCount(queue.inFlight)}
        </Stat>
        <Stat label="Consumers" title={queue.consumers === null ? 'the broker cannot tell' : undefined}>
          {queue.consumers === null ? UNKNOWN : formatCount(queue.consumers)}
        </Stat>
        <Stat label="Oldest waiting">{formatAge(queue.oldestAgeSec)}</Stat>
        <Stat label="In / out" title="enqueued and dequeued per second">
          <span className="text-base">
            {enqueueRate ?? UNKNOWN} / {dequeueRate ?? UNKNOWN}
          </span>
        </Stat>
      </dl>
      <WarningList warnings={queue.warnings} size="sm" testId="queue-warnings" />
      <QueueSlos broker={queue.broker} queue={queue.name} />
      <Lanes queue={queue} />
      <CollapsedNote queue={queue} />
      <PriorityLegend />
    </section>
  );
}
