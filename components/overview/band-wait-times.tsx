import type { Queue } from '@/lib/shared/types';
import { formatWait, WAIT_ESTIMATE_NOTE, WAIT_WINDOW_MIN } from '@/lib/shared/wait-times';
import { BandGrid } from './band-grid';

/**
 * How long each band's tasks waited before they started, p50 / p95 over the last 15 minutes:
 * whether urgent work is really served first (Oldest wait shows what still waits).
 */
export function BandWaitTimes({ queue, id }: { queue: Queue; id: string }) {
  const waits = queue.waitTimes;
  if (!waits) {
    return (
      <span className="text-xs whitespace-nowrap text-slate-400 dark:text-slate-500" data-testid={`queue-waittime-${id}`} title={`no task of this queue started in the last ${WAIT_WINDOW_MIN} min`}>
        none started
      </span>
    );
  }
  const unknown = waits.unknown;
  return (
    <>
      <BandGrid
        testId={`queue-waittime-${id}`}
        // Its lines align with Oldest wait's, which names the bands.
        namesHidden
        cell={(band) => {
          const stats = waits.bands[band];
          return {
            testId: `queue-waittime-${id}-${band}`,
            title: stats ? `p50 / p95 of ${stats.count} started. ${WAIT_ESTIMATE_NOTE}` : `none started in the last ${WAIT_WINDOW_MIN} min`,
            className: `whitespace-nowrap ${stats ? '' : 'text-slate-400 dark:text-slate-500'}`,
            text: stats ? `${formatWait(stats.p50)} / ${formatWait(stats.p95)}` : '—',
          };
        }}
      />
      {unknown ? (
        // Celery tasks known only from events: no band to put them in, but their wait still shows.
        <p className="text-xs leading-5 whitespace-nowrap text-slate-500 dark:text-slate-400" data-testid={`queue-waittime-${id}-unknown`} title={`p50 / p95 of ${unknown.count} started whose priority is unknown (Celery events do not carry it). ${WAIT_ESTIMATE_NOTE}`}>
          <span className="sr-only">unknown priority: </span>
          <span aria-hidden>? </span>
          {formatWait(unknown.p50)} / {formatWait(unknown.p95)}
        </p>
      ) : null}
    </>
  );
}
