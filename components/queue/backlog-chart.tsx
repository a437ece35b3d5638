'use client';

import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { HISTORY_RANGES, useQueueHistory, type HistoryRange } from '@/lib/client/queue-queries';
import { formatClock, formatTime } from '@/lib/client/time-format';
import type { Queue } from '@/lib/shared/types';
import { WAIT_WINDOW_MIN } from '@/lib/shared/wait-times';
import { useNow } from '@/lib/client/use-now';
import { formatCount } from '../format';
import { levelLabel, levelsOf } from '../levels';
import { priorityFill } from '../priority-colors';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { Panel } from '../ui/panel';
import { ToggleGroup } from '../ui/toggle-group';
import { AXIS_STYLE, CHART_MARGIN, GRID_STYLE, TIME_AXIS, Y_AXIS_WIDTH } from './chart-axes';
import { WaitChart } from './wait-chart';
import { WaitTimesTable } from './wait-times-table';

// The empty chart's axis moves with the clock; a minute's step is all the wait chart resolves.
const HISTORY_AXIS_TICK_MS = 10_000;

const RANGE_LABEL: Record<HistoryRange, string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours' };

function timeLabel(t: number, range: HistoryRange): string {
  return formatClock(t, { seconds: range !== '24h' });
}

export function RangeToggle({ range, onChange }: { range: HistoryRange; onChange: (range: HistoryRange) => void }) {
  return <ToggleGroup label="Time range" options={HISTORY_RANGES.map((r) => ({ value: r, label: r }))} value={range} onChange={onChange} />;
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
  // One time axis for the backlog and the waits under it; before two samples, the waits' own window.
  const now = useNow(HISTORY_AXIS_TICK_MS);
  const domain: [number, number] = points.length >= 2 ? [points[0]!.t, points.at(-1)!.t] : [now - WAIT_WINDOW_MIN * 60_000, now];
  return (
    <Panel
      title={`Backlog by priority, last ${RANGE_LABEL[range]}`}
      titleClassName="text-sm tracking-wide text-slate-500 uppercase dark:text-slate-400"
      actions={<RangeToggle range={range} onChange={onRangeChange} />}
    >
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
            <AreaChart data={data} margin={CHART_MARGIN}>
              <CartesianGrid {...GRID_STYLE} />
              <XAxis {...TIME_AXIS} domain={domain} tickFormatter={(t: number) => timeLabel(t, range)} />
              <YAxis {...AXIS_STYLE} allowDecimals={false} tickFormatter={(n: number) => formatCount(n)} width={Y_AXIS_WIDTH} />
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
      <WaitChart queue={queue} domain={domain} tickLabel={(t) => timeLabel(t, range)} />
      <WaitTimesTable queue={queue} />
    </Panel>
  );
}
