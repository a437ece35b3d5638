'use client';

import { Area, AreaChart, YAxis } from 'recharts';
import { formatCount } from './format';

const WIDTH = 112;
const HEIGHT = 28;

/**
 * A queue's total backlog over the last minutes, as a tiny area chart. Fixed size (no
 * ResponsiveContainer): thirty of them must not each watch the window for resizes.
 */
export function Sparkline({ points, label }: { points: readonly [number, number][] | undefined; label: string }) {
  if (!points || points.length < 2) {
    return (
      <span className="inline-block text-xs text-slate-400 dark:text-slate-500" style={{ width: WIDTH }} title="no history sampled yet">
        no history yet
      </span>
    );
  }
  const data = points.map(([t, depth]) => ({ t, depth }));
  const first = points[0]![1];
  const last = points[points.length - 1]![1];
  const trend = last > first ? 'growing' : last < first ? 'shrinking' : 'steady';
  return (
    <span
      role="img"
      aria-label={`${label} backlog ${trend}: ${formatCount(first)} → ${formatCount(last)}`}
      title={`${formatCount(first)} → ${formatCount(last)} over the last ${points.length} samples`}
      className="inline-block text-sky-600 dark:text-sky-400"
    >
      <AreaChart width={WIDTH} height={HEIGHT} data={data} margin={{ top: 2, right: 0, bottom: 2, left: 0 }}>
        <YAxis hide domain={[0, 'dataMax']} />
        <Area
          type="monotone"
          dataKey="depth"
          stroke="currentColor"
          fill="currentColor"
          fillOpacity={0.15}
          strokeWidth={1.5}
          isAnimationActive={false}
          dot={false}
        />
      </AreaChart>
    </span>
  );
}
