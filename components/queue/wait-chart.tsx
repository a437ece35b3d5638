'use client';

import { useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useQueueWaitSeries } from '@/lib/client/queue-queries';
import { formatTime } from '@/lib/client/time-format';
import type { Band } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { formatWait, WAIT_ESTIMATE_NOTE, WAIT_WINDOW_MIN, type WaitPoint, type WaitStats } from '@/lib/shared/wait-times';
import { levelLabel, levelsOf } from '../levels';
import { BANDS, priorityFill } from '../priority-colors';
import { ErrorPanel } from '../state-panels';
import { ToggleGroup } from '../ui/toggle-group';
import { AXIS_STYLE, CHART_MARGIN, GRID_STYLE, TIME_AXIS, Y_AXIS_WIDTH } from './chart-axes';

type Grouping = 'level' | 'band';

/** One line pair (p50 dashed, p95 solid) of the chart. */
interface Series {
  key: string;
  label: string;
  color: string;
  stats: (point: WaitPoint) => WaitStats | undefined;
}

function seriesOf(queue: Queue, points: readonly WaitPoint[], grouping: Grouping): Series[] {
  if (grouping === 'band') {
    return BANDS.filter(({ band }) => points.some((p) => p.bands[band])).map(({ band, label, from }) => ({
      key: band,
      label,
      color: priorityFill(from),
      stats: (p: WaitPoint) => p.bands[band as Band],
    }));
  }
  const levels = [...new Set([...levelsOf(queue), ...points.flatMap((p) => Object.keys(p.levels).map(Number))])].sort((a, b) => a - b);
  return levels
    .filter((level) => points.some((p) => p.levels[String(level)]))
    .map((level) => ({ key: String(level), label: `P${levelLabel(queue, level) ?? level}`, color: priorityFill(level), stats: (p: WaitPoint) => p.levels[String(level)] }));
}

/**
 * p50 and p95 wait before start per level (or band), minute by minute over the last 15
 * minutes, on the backlog chart's time axis (`domain`): a growing P9 backlog is fine while
 * P0's line stays low. A minute in which nothing of a level started is a gap, not a zero.
 */
export function WaitChart({ queue, domain, tickLabel }: { queue: Queue; domain: [number, number]; tickLabel: (t: number) => string }) {
  const waits = useQueueWaitSeries(queue.broker, queue.name);
  // Ten levels make twenty lines: bands are the readable default on a ten-level queue.
  const [grouping, setGrouping] = useState<Grouping>(levelsOf(queue).length > 4 ? 'band' : 'level');
  const points = waits.data?.points ?? [];
  const series = seriesOf(queue, points, grouping);
  // Each minute's value holds until the next minute starts; the current minute's until now.
  const last = points.at(-1);
  const stepped = last ? [...points, { ...last, t: Math.min(last.t + 60_000, Math.max(domain[1], last.t)) }] : [];
  const data = stepped.map((p) => ({
    t: p.t,
    ...Object.fromEntries(series.flatMap((s) => [[`${s.key}-p50`, s.stats(p)?.p50 ?? null], [`${s.key}-p95`, s.stats(p)?.p95 ?? null]])),
  }));
  return (
    <div className="space-y-2" data-testid="wait-chart-panel">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400" title={WAIT_ESTIMATE_NOTE}>
          Wait before start, p50 - - and p95 —, per minute, last {WAIT_WINDOW_MIN} min
        </h3>
        <ToggleGroup
          label="Wait chart grouping"
          testId="wait-chart-grouping"
          options={[
            { value: 'level', label: 'levels' },
            { value: 'band', label: 'bands' },
          ]}
          value={grouping}
          onChange={setGrouping}
        />
      </div>
      {waits.isError && !waits.data ? (
        <ErrorPanel title="Cannot read the wait times" message={waits.error.message} onRetry={() => void waits.refetch()} />
      ) : waits.isPending ? (
        <div className="h-40 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />
      ) : series.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No task of this queue started in the last {WAIT_WINDOW_MIN} minutes.</p>
      ) : (
        <>
          <div className="h-40 w-full" data-testid="wait-chart" role="img" aria-label={`p50 and p95 wait before start per ${grouping}, per minute`}>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={data} margin={CHART_MARGIN}>
                <CartesianGrid {...GRID_STYLE} />
                {/* Minutes before the backlog's first sample fall outside its axis: clipped, not squeezed in. */}
                <XAxis {...TIME_AXIS} domain={domain} allowDataOverflow tickFormatter={tickLabel} />
                <YAxis {...AXIS_STYLE} tickFormatter={(sec: number) => formatWait(sec)} width={Y_AXIS_WIDTH} />
                <Tooltip
                  labelFormatter={(t) => `minute from ${formatTime(Number(t))}`}
                  formatter={(value, name) => [formatWait(Number(value)), labelOfKey(series, String(name))]}
                  contentStyle={{ fontSize: 12, color: '#0f172a' }}
                />
                {series.flatMap((s) => [
                  <Line key={`${s.key}-p95`} className={`wait-line-${s.key}-p95`} type="stepAfter" dataKey={`${s.key}-p95`} stroke={s.color} strokeWidth={2} dot={false} isAnimationActive={false} />,
                  <Line key={`${s.key}-p50`} className={`wait-line-${s.key}-p50`} type="stepAfter" dataKey={`${s.key}-p50`} stroke={s.color} strokeWidth={1.5} strokeDasharray="4 3" dot={false} isAnimationActive={false} />,
                ])}
              </LineChart>
            </ResponsiveContainer>
          </div>
          <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-400" data-testid="wait-chart-legend">
            {series.map((s) => (
              <li key={s.key} className="flex items-center gap-1.5">
                <span aria-hidden className="inline-block h-0.5 w-4" style={{ background: s.color }} />
                {s.label}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function labelOfKey(series: readonly Series[], key: string): string {
  const [id, quantile] = [key.slice(0, key.lastIndexOf('-')), key.slice(key.lastIndexOf('-') + 1)];
  return `${series.find((s) => s.key === id)?.label ?? id} ${quantile}`;
}
