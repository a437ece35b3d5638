'use client';

import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { HISTORY_RANGES, useQueueHistory, type HistoryRange } from '@/lib/client/queue-queries';
import { formatClock, formatTime } from '@/lib/client/time-format';
import type { Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { levelLabel, levelsOf } from '../levels';
import { priorityFill } from '../priority-colors';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { WaitTimesTable } from './wait-times-table';

const RANGE_LABEL: Record<HistoryRange, string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours' };

function timeLabel(t: number, range: HistoryRange): string {
  return formatClock(t, { seconds: range !== '24h' });
}

export function RangeToggle({ range, onChange }: { range: HistoryRange; onChange: (range: HistoryRange) => void }) {
  return (
    <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md border border-slate-300 dark:border-slate-600">
      {HISTORY_RANGES.map((r) => (
        <button
          key={r}
          type="button"
          aria-pressed={r === range}
          onClick={() => onChange(r)}
          className={`px-2.5 py-1 text-sm focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600 ${
            r === range
              ? 'bg-slate-800 text-white dark:bg-slate-200 dark:text-slate-900'
              : 'bg-white text-slate-700 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800'
          }`}
        >
          {r}
        </button>
      ))}
    </div>
  );
}

/** Backlog per priority over time, stacked, from the server's sampler (one sampler, whatever the number of tabs). */
export function BacklogChart({ queue, range, onRangeChange }: { queue: Queue; range: HistoryRange; onRangeChange: (range: HistoryRange) => void }) {
  const history = useQueueHistory(queue.broker, queue.name, range);
  const points = history.data?.points ?? [];
  // Levels the queue holds, plus any a stored sample has (a foreign producer's deeper step).
  const levels = [...new Set([...levelsOf(queue), ...points.flatMap((p) => Object.entries(p.byPriority).filter(([, n]) => n > 0).map(([k]) => Number(k)))])].sort(
    (a, b) => a - b,
  );
  const data = points.map((p) => ({ t: p.t, ...Object.fromEntries(levels.map((l) => [String(l), p.byPriority[String(l)] ?? 0])) }));
  return (
    <section aria-labelledby="backlog-heading" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="backlog-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          Backlog by priority, last {RANGE_LABEL[range]}
        </h2>
        <RangeToggle range={range} onChange={onRangeChange} />
      </div>
      {history.isError && !history.data ? (
        <ErrorPanel title="Cannot read the backlog history" message={history.error.message} onRetry={() => void history.refetch()} />
      ) : history.isPending ? (
        <div className="h-56 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
      ) : points.length < 2 ? (
        // One sample is a dot, not a trend: say what it was instead of drawing it.
        <EmptyPanel>
          {points[0]
            ? `One sample so far (${formatCount(points[0].depth)} waiting at ${formatTime(points[0].t)}). `
            : `No samples for this queue in the last ${RANGE_LABEL[range]} yet. `}
          The server samples every queue every few seconds; the chart draws from the second sample on.
        </EmptyPanel>
      ) : (
        <div className="h-56 w-full" data-testid="backlog-chart" role="img" aria-label={`Backlog by priority over the last ${RANGE_LABEL[range]}`}>
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={data} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.15} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={['dataMin', 'dataMax']}
                tickFormatter={(t: number) => timeLabel(t, range)}
                tick={{ fontSize: 11, fill: 'currentColor' }}
                stroke="currentColor"
                strokeOpacity={0.4}
              />
              <YAxis
                allowDecimals={false}
                tickFormatter={(n: number) => formatCount(n)}
                tick={{ fontSize: 11, fill: 'currentColor' }}
                stroke="currentColor"
                strokeOpacity={0.4}
                width={48}
              />
              <Tooltip
                labelFormatter={(t) => formatTime(Number(t))}
                formatter={(value, name) => [formatCount(Number(value)), `P${levelLabel(queue, Number(name)) ?? String(name)}`]}
                contentStyle={{ fontSize: 12, color: '#0f172a' }}
              />
              {levels.map((level) => (
                <Area
                  key={level}
                  className={`backlog-level-${level}`}
                  type="linear"
                  dataKey={String(level)}
                  stackId="backlog"
                  stroke={priorityFill(level)}
                  fill={priorityFill(level)}
                  fillOpacity={0.8}
                  isAnimationActive={false}
                />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        </div>
      )}
      <WaitTimesTable queue={queue} />
    </section>
  );
}
