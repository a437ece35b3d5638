import type { Queue } from '@/lib/shared/types';
import { formatWait, WAIT_ESTIMATE_NOTE, WAIT_WINDOW_MIN } from '@/lib/shared/wait-times';
import { formatCount } from '../format';
import { levelLabel, levelsOf } from '../levels';
import { priorityFill } from '../priority-colors';

/**
 * How long each level's tasks waited before they started (p50 / p95, last 15 minutes), beside
 * the backlog: a backlog of P9 is fine as long as P0's wait stays short.
 */
export function WaitTimesTable({ queue }: { queue: Queue }) {
  const waits = queue.waitTimes;
  return (
    <div className="space-y-1.5 border-t border-slate-200 pt-3 dark:border-slate-800" data-testid="wait-times">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400" title={WAIT_ESTIMATE_NOTE}>
        Wait before start by priority, last {WAIT_WINDOW_MIN} min
      </h3>
      {!waits ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No task of this queue started in the last {WAIT_WINDOW_MIN} minutes.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="text-sm tabular-nums">
            <thead>
              <tr className="text-xs text-slate-500 dark:text-slate-400">
                <th scope="col" className="py-1 pr-4 text-left font-medium">Priority</th>
                <th scope="col" className="py-1 pr-4 text-right font-medium" title={WAIT_ESTIMATE_NOTE}>p50</th>
                <th scope="col" className="py-1 pr-4 text-right font-medium" title={WAIT_ESTIMATE_NOTE}>p95</th>
                <th scope="col" className="py-1 text-right font-medium">Started</th>
              </tr>
            </thead>
            <tbody>
              {levelsOf(queue)
                .filter((level) => waits.levels[String(level)])
                .map((level) => {
                  const stats = waits.levels[String(level)]!;
                  return (
                    <tr key={level} data-testid={`wait-times-level-${level}`}>
                      <th scope="row" className="py-0.5 pr-4 text-left font-medium whitespace-nowrap">
                        <span aria-hidden className="mr-1.5 inline-block size-2.5 rounded-sm align-middle" style={{ background: priorityFill(level) }} />P
                        {levelLabel(queue, level) ?? level}
                      </th>
                      <td className="py-0.5 pr-4 text-right">{formatWait(stats.p50)}</td>
                      <td className="py-0.5 pr-4 text-right font-semibold">{formatWait(stats.p95)}</td>
                      <td className="py-0.5 text-right">{formatCount(stats.count)}</td>
                    </tr>
                  );
                })}
              {waits.unknown ? (
                <tr data-testid="wait-times-unknown" title="Celery tasks known only from their events, which do not carry the priority">
                  <th scope="row" className="py-0.5 pr-4 text-left font-medium whitespace-nowrap text-slate-500 dark:text-slate-400">unknown priority</th>
                  <td className="py-0.5 pr-4 text-right">{formatWait(waits.unknown.p50)}</td>
                  <td className="py-0.5 pr-4 text-right font-semibold">{formatWait(waits.unknown.p95)}</td>
                  <td className="py-0.5 text-right">{formatCount(waits.unknown.count)}</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
