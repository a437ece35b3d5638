'use client';

import { PRIORITIES, bandOf } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { formatAge, formatCount } from './format';
import { levelLabel, levelsOf } from './levels';
import { priorityBg } from './priority-colors';

function countAt(queue: Queue, level: number): number {
  return queue.byPriority[String(level)] ?? 0;
}

function describeLevel(queue: Queue, level: number): string {
  const label = levelLabel(queue, level);
  const age = queue.oldestAgeSecByPriority?.[String(level)];
  const oldest = age === null || age === undefined ? '' : `, oldest ${formatAge(age)}`;
  // Say so when one list holds several priorities: a producer's 1 and 2 queue behind each other as 0.
  const note =
    label === null
      ? ' (no priority is sent here; these came from another producer)'
      : label.includes('–')
        ? ` (priorities ${label} are not told apart: first in, first out among them)`
        : '';
  return `priority ${label ?? level} · ${bandOf(level)}: ${formatCount(countAt(queue, level))} waiting${oldest}${note}`;
}

/**
 * Depth per priority as one stacked bar. `scale` (0..1) is this queue's depth relative to the
 * deepest queue on screen, so bars compare across rows; a non-empty queue always shows a sliver.
 */
export function PriorityBar({ queue, scale }: { queue: Queue; scale: number }) {
  const width = queue.depth > 0 ? Math.max(scale, 0.02) * 100 : 0;
  const levels = PRIORITIES.filter((p) => countAt(queue, p) > 0);
  return (
    <div
      className="flex h-3 w-full overflow-hidden rounded-full bg-slate-200/70 dark:bg-slate-800"
      role="img"
      aria-label={`${queue.name}: ${levels.map((p) => `${formatCount(countAt(queue, p))} at priority ${p}`).join(', ') || 'empty'}`}
    >
      <div className="flex h-full" style={{ width: `${width}%` }}>
        {levels.map((p) => (
          <div
            key={p}
            title={describeLevel(queue, p)}
            className={`h-full ${priorityBg(p)}`}
            style={{ width: `${(countAt(queue, p) / queue.depth) * 100}%` }}
          />
        ))}
      </div>
    </div>
  );
}

/** Exact counts for every level the queue can hold apart, zeros dimmed, so small numbers are never lost in the bar. */
export function PriorityCounts({ queue }: { queue: Queue }) {
  return (
    <div className="mt-1.5 flex flex-wrap gap-x-2.5 gap-y-1 text-xs tabular-nums">
      {levelsOf(queue).map((level) => {
        const count = countAt(queue, level);
        const label = levelLabel(queue, level);
        // A level no priority maps to (a lane's deeper steps) only matters when something is there.
        if (label === null && count === 0) return null;
        return (
          <span
            key={level}
            title={describeLevel(queue, level)}
            className={`inline-flex items-center gap-1 ${count === 0 ? 'opacity-45' : ''}`}
          >
            <span aria-hidden className={`size-2 rounded-sm ${priorityBg(level)}`} />
            <span className="text-slate-500 dark:text-slate-400">P{label ?? level}</span>
            <span
              data-testid={`priority-count-${queue.broker}-${queue.name}-${level}`}
              className="font-semibold text-slate-800 dark:text-slate-100"
            >
              {formatCount(count)}
            </span>
          </span>
        );
      })}
    </div>
  );
}
