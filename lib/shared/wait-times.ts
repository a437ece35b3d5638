import { bandOf, PRIORITIES, type Band } from './priority';

/**
 * Wait time (enqueued → started) per priority, as recorded by lib/state/wait-times.ts:
 * counts in fixed buckets (Prometheus-style upper bounds, in seconds), so windows merge by
 * adding counts and p50/p95 are estimated from the merged buckets, not from every sample.
 */

/** Upper bounds (seconds) of the finite buckets; one more bucket, +Inf, follows. Never reorder: stored counts are by index. */
export const WAIT_BUCKETS_SEC: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Buckets per histogram, +Inf included. */
export const WAIT_BUCKET_COUNT = WAIT_BUCKETS_SEC.length + 1;
/** The window the dashboard reports: the last 15 minutes (15 one-minute histograms merged). */
export const WAIT_WINDOW_MIN = 15;

/** Counts per bucket (WAIT_BUCKET_COUNT entries, not cumulative). */
export type WaitHistogram = number[];

/** Estimated percentiles (seconds) and how many waits they cover. */
export interface WaitStats {
  p50: number;
  p95: number;
  count: number;
}

/** A queue's waits over the last WAIT_WINDOW_MIN minutes; levels and bands without any wait are absent. */
export interface QueueWaitTimes {
  windowSec: number;
  /** Keyed by level ("0".."9"): the tasks of every priority stored under it. */
  levels: Record<string, WaitStats>;
  bands: Partial<Record<Band, WaitStats>>;
  /**
   * Tasks whose priority nobody could tell: Celery tasks Triage knows only from events
   * (Celery's events, results and its worker's request carry no priority). Counted apart,
   * never guessed into a level; absent when there were none.
   */
  unknown?: WaitStats;
}

/** One minute of a queue's waits: the tasks that started in it, per level and band (empty maps: none started). */
export interface WaitPoint {
  /** The minute's start, ms since the epoch. */
  t: number;
  levels: Record<string, WaitStats>;
  bands: Partial<Record<Band, WaitStats>>;
}

/** GET /api/v1/queues/{broker}/{queue}/wait-times: the window minute by minute, oldest first, every minute present. */
export interface QueueWaitSeries {
  windowSec: number;
  stepSec: number;
  points: WaitPoint[];
}

export function emptyHistogram(): WaitHistogram {
  return new Array<number>(WAIT_BUCKET_COUNT).fill(0);
}

/** The bucket a wait falls in: the first whose upper bound is ≥ the wait (as Prometheus' `le`). */
export function waitBucket(waitSec: number): number {
  const i = WAIT_BUCKETS_SEC.findIndex((bound) => waitSec <= bound);
  return i === -1 ? WAIT_BUCKETS_SEC.length : i;
}

/** Adds `from` into `into` (window merging). */
export function addHistogram(into: WaitHistogram, from: readonly number[]): WaitHistogram {
  for (let i = 0; i < WAIT_BUCKET_COUNT; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
  return into;
}

/**
 * The q-quantile (0..1) estimated as Prometheus' histogram_quantile does: find the bucket
 * holding the rank and interpolate linearly inside it (from 0 for the first bucket). A
 * rank in the +Inf bucket reports the largest finite bound (the estimate cannot say more).
 * null for an empty histogram.
 */
export function histogramQuantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < WAIT_BUCKET_COUNT; i++) {
    const count = histogram[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      if (i === WAIT_BUCKETS_SEC.length) return WAIT_BUCKETS_SEC[i - 1]!;
      const lower = i === 0 ? 0 : WAIT_BUCKETS_SEC[i - 1]!;
      const upper = WAIT_BUCKETS_SEC[i]!;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return WAIT_BUCKETS_SEC[WAIT_BUCKETS_SEC.length - 1]!;
}

export function waitStats(histogram: readonly number[]): WaitStats | null {
  const count = histogram.reduce((a, b) => a + b, 0);
  if (count === 0) return null;
  return { p50: round(histogramQuantile(histogram, 0.5)!), p95: round(histogramQuantile(histogram, 0.95)!), count };
}

function round(sec: number): number {
  return Math.round(sec * 1e4) / 1e4;
}

/**
 * A queue's waits per level and per band from its per-priority histograms: priorities are
 * merged under the level they are stored at (`levelOf`), bands from their levels' buckets
 * (never by averaging percentiles); unknown priorities apart. null when nothing started in the window.
 */
export function queueWaitTimes(
  /** null = unknown priority. */
  byPriority: ReadonlyMap<number | null, readonly number[]> | undefined,
  levelOf: readonly number[],
  windowSec = WAIT_WINDOW_MIN * 60,
): QueueWaitTimes | null {
  if (!byPriority || byPriority.size === 0) return null;
  const levels = new Map<number, WaitHistogram>();
  const bands = new Map<Band, WaitHistogram>();
  for (const p of PRIORITIES) {
    const histogram = byPriority.get(p);
    if (!histogram) continue;
    const level = levelOf[p] ?? p;
    addHistogram(levels.get(level) ?? setNew(levels, level), histogram);
    addHistogram(bands.get(bandOf(level)) ?? setNew(bands, bandOf(level)), histogram);
  }
  const out: QueueWaitTimes = { windowSec, levels: {}, bands: {} };
  for (const [level, histogram] of levels) {
    const stats = waitStats(histogram);
    if (stats) out.levels[String(level)] = stats;
  }
  for (const [band, histogram] of bands) {
    const stats = waitStats(histogram);
    if (stats) out.bands[band] = stats;
  }
  const unknown = byPriority.get(null);
  const unknownStats = unknown ? waitStats(unknown) : null;
  if (unknownStats) out.unknown = unknownStats;
  return Object.keys(out.levels).length > 0 || unknownStats ? out : null;
}

function setNew<K>(map: Map<K, WaitHistogram>, key: K): WaitHistogram {
  const histogram = emptyHistogram();
  map.set(key, histogram);
  return histogram;
}

/**
 * The wait of a task that starts at `startedAt`: from when it was enqueued, or from when it
 * became due if that is later (an ETA, a countdown, a retry's backoff is not time spent
 * waiting for a worker). null when the enqueue time is unknown or unreadable.
 */
export function waitSecFor(startedAtMs: number, enqueuedAt: string | null | undefined, eta: string | null | undefined): number | null {
  if (!enqueuedAt) return null;
  const enqueued = Date.parse(enqueuedAt);
  if (!Number.isFinite(enqueued)) return null;
  const due = eta ? Date.parse(eta) : Number.NaN;
  const from = Number.isFinite(due) ? Math.max(enqueued, due) : enqueued;
  return Math.max(0, (startedAtMs - from) / 1000);
}

/** A wait for display: "0.42 s", "12 s", "3.5 min". */
export function formatWait(sec: number): string {
  if (sec < 10) return `${sec < 1 ? sec.toFixed(2) : sec.toFixed(1)} s`;
  if (sec < 120) return `${Math.round(sec)} s`;
  if (sec < 7200) return `${(sec / 60).toFixed(1)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}

/** How the numbers are made, for tooltips and docs. */
export const WAIT_ESTIMATE_NOTE = `Wait = enqueued (or due, for ETA and retries) → started, last ${WAIT_WINDOW_MIN} min; p50/p95 are interpolated within fixed histogram buckets, as Prometheus' histogram_quantile does.`;
