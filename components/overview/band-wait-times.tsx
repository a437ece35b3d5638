import type { Queue } from '@/lib/shared/types';
import { formatWait, WAIT_ESTIMATE_NOTE, WAIT_WINDOW_MIN } from '@/lib/shared/wait-times';
import { BANDS } from '../priority-colors';

/**
 * How long each band's tasks waited before they started, p50 / p95 over the last 15 minutes:
 * whether urgent work is really served first (Oldest wait shows what still waits).
 */
export function BandWaitTimes({ queue, id }: { queue: Queue; id: string }) {
  const waits = queue.waitTimes;
  if (!waits) {
    return (
      <span className="text-xs text-slate-400 dark:text-slate-500" data-testid={`queue-waittime-${id}`} title={`no task of this queue started in the last ${WAIT_WINDOW_MIN} min`}>
        none started
      </span>
    );
  }
  return (
    <dl className="inline-grid grid-cols-[auto_auto] gap-x-2 text-xs leading-5" data-testid={`queue-waittime-${id}`}>
      {BANDS.map(({ band, label, from, to }) => {
        const stats = waits.bands[band];
        return (
          <div key={band} className="contents">
            <dt className="text-left text-slate-500 dark:text-slate-400" title={`priorities ${from}–${to}`}>
              {label}
            </dt>
            <dd
              data-testid={`queue-waittime-${id}-${band}`}
              title={stats ? `p50 / p95 of ${stats.count} started. ${WAIT_ESTIMATE_NOTE}` : `none started in the last ${WAIT_WINDOW_MIN} min`}
              className={`min-w-24 ${stats ? '' : 'text-slate-400 dark:text-slate-500'}`}
            >
              {stats ? `${formatWait(stats.p50)} / ${formatWait(stats.p95)}` : '—'}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}
