import { parkedFrom } from '@/lib/shared/parking';

/**
 * What the overview's queue list shares with its parts and with the overview-page bench:
 * plain values, in a module of its own so the bench can read them without loading React.
 */

/**
 * Above this many listed queues the overview renders only the rows near the viewport: a
 * row costs about a millisecond to render and lay out, so a thousand queues blocked the
 * page for a second on every load (bench/overview-page.ts with BENCH_QUEUES=1000).
 */
export const WINDOWED_ABOVE = 100;

/** One queue across brokers: the row key and the key of its backlog series. */
export function queueKey(broker: string, queue: string): string {
  return `${broker}/${queue}`;
}

/** Backlog series per queueKey: [time, depth] points. */
export type BacklogSeries = ReadonlyMap<string, readonly [number, number][]>;

/**
 * A parking queue once emptied (a restore, a retry) stays declared on the broker; the
 * overview hides it while empty unless asked to show it.
 */
export function isEmptyParkingQueue(queue: { name: string; depth: number; inFlight: number }): boolean {
  return queue.depth === 0 && queue.inFlight === 0 && parkedFrom(queue.name) !== null;
}

/** localStorage key of the overview's "show empty parking queues" choice. */
export const SHOW_PARKING_KEY = 'triage-show-parking';
