'use client';

import { formatCount } from '../format';

const WIDTH = 112;
const HEIGHT = 28;
const PAD = 2;

/** Line and area paths through the points, time on x, depth on y (0 at the bottom). */
function paths(points: readonly [number, number][]): { line: string; area: string } {
  const t0 = points[0]![0];
  const span = Math.max(1, points[points.length - 1]![0] - t0);
  const top = Math.max(1, ...points.map(([, depth]) => depth));
  const xy = points.map(([t, depth]) => {
    const x = ((t - t0) / span) * WIDTH;
    const y = PAD + (1 - depth / top) * (HEIGHT - 2 * PAD);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const line = `M${xy.join('L')}`;
  return { line, area: `${line}L${WIDTH},${HEIGHT}L0,${HEIGHT}Z` };
}

/**
 * A queue's total backlog over the last minutes. Plain SVG rather than a chart-library
 * chart: a row per queue means a hundred of these per tab, redrawn on every refresh, and a
 * full chart instance each (state store, measurement, tooltip layer) costs far more than a path.
 */
export function Sparkline({ points, label }: { points: readonly [number, number][] | undefined; label: string }) {
  if (!points || points.length < 2) {
    return (
      <span className="inline-block text-xs text-slate-400 dark:text-slate-500" style={{ width: WIDTH }} title="no history sampled yet">
        no history yet
      </span>
    );
  }
  const first = points[0]![1];
  const last = points[points.length - 1]![1];
  const trend = last > first ? 'growing' : last < first ? 'shrinking' : 'steady';
  const { line, area } = paths(points);
  return (
    <svg
      role="img"
      aria-label={`${label} backlog ${trend}: ${formatCount(first)} → ${formatCount(last)}`}
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      className="inline-block text-sky-600 dark:text-sky-400"
    >
      <title>{`${formatCount(first)} → ${formatCount(last)} over ${points.length} samples`}</title>
      <path d={area} fill="currentColor" fillOpacity={0.15} />
      <path d={line} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  );
}
