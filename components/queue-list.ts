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
 * Parking queues: where a drain parks messages (`<queue>.drained`) and where tasks go after
 * their last retry (`<queue>.dead`). Once emptied (a restore, a retry) they stay declared on
 * the broker; the overview hides them while empty unless asked to show them.
 */
export const PARKING_SUFFIXES = ['.drained', '.dead'] as const;

export function isEmptyParkingQueue(queue: { name: string; depth: number; inFlight: number }): boolean {
  return queue.depth === 0 && queue.inFlight === 0 && PARKING_SUFFIXES.some((suffix) => queue.name.length > suffix.length && queue.name.endsWith(suffix));
}

/** localStorage key of the overview's "show empty parking queues" choice. */
export const SHOW_PARKING_KEY = 'triage-show-parking';
