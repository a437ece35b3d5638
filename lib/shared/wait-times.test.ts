import { describe, expect, it } from 'vitest';
import { KOMBU_DEFAULT_STEPS, stepFor } from './priority';
import { addHistogram, emptyHistogram, histogramQuantile, queueWaitTimes, WAIT_BUCKET_COUNT, WAIT_BUCKETS_SEC, waitBucket, waitStats } from './wait-times';

function histogramOf(waits: number[]): number[] {
  const h = emptyHistogram();
  for (const w of waits) h[waitBucket(w)]! += 1;
  return h;
}

describe('wait-time buckets', () => {
  it('puts a wait in the first bucket whose upper bound holds it (le, as Prometheus)', () => {
    expect(waitBucket(0)).toBe(0);
    expect(waitBucket(0.005)).toBe(0);
    expect(waitBucket(0.0051)).toBe(1);
    expect(WAIT_BUCKETS_SEC[waitBucket(7)]).toBe(10);
    expect(waitBucket(1e6)).toBe(WAIT_BUCKET_COUNT - 1);
  });

  it('interpolates percentiles inside the bucket holding the rank', () => {
    // 100 waits: 50 in (1, 2.5], 50 in (5, 10].
    const h = histogramOf([...Array<number>(50).fill(2), ...Array<number>(50).fill(8)]);
    // p50: rank 50 is the last of the (1, 2.5] bucket → its upper bound.
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(2.5);
    // p95: rank 95 is the 45th of 50 in (5, 10] → 5 + 5 × 45/50.
    expect(histogramQuantile(h, 0.95)).toBeCloseTo(9.5);
    // The first bucket interpolates from 0.
    expect(histogramQuantile(histogramOf([0.001, 0.001]), 0.5)).toBeCloseTo(0.0025);
    expect(histogramQuantile(emptyHistogram(), 0.5)).toBeNull();
  });

  it('reports the largest finite bound for ranks in +Inf', () => {
    expect(histogramQuantile(histogramOf([5000, 6000]), 0.95)).toBe(3600);
  });

  it('merges windows by adding counts: percentiles of the merge, not averages of percentiles', () => {
    const minute1 = histogramOf(Array<number>(90).fill(0.02));
    const minute2 = histogramOf(Array<number>(10).fill(50));
    const merged = addHistogram(addHistogram(emptyHistogram(), minute1), minute2);
    expect(merged.reduce((a, b) => a + b, 0)).toBe(100);
    const stats = waitStats(merged)!;
    expect(stats.count).toBe(100);
    expect(stats.p50).toBeLessThanOrEqual(0.025);
    // rank 95 lies in the 10 waits of (30, 60]: 30 + 30 × 5/10.
    expect(stats.p95).toBeCloseTo(45);
  });

  it('groups priorities under their level and levels under their band', () => {
    const levelOf = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => stepFor(p, KOMBU_DEFAULT_STEPS));
    const byPriority = new Map([
      [1, histogramOf([0.01, 0.01])],
      [2, histogramOf([0.01])],
      [7, histogramOf([20, 20, 20])],
      [9, histogramOf([100])],
    ]);
    const waits = queueWaitTimes(byPriority, levelOf)!;
    expect(Object.keys(waits.levels).sort()).toEqual(['0', '6', '9']);
    expect(waits.levels['0']!.count).toBe(3);
    expect(waits.levels['6']!.count).toBe(3);
    expect(waits.bands.high!.count).toBe(3);
    // Levels 6 and 9 are both low: their buckets merge.
    expect(waits.bands.low!.count).toBe(4);
    expect(waits.bands.medium).toBeUndefined();
    expect(waits.windowSec).toBe(900);
    expect(queueWaitTimes(new Map(), levelOf)).toBeNull();
  });
});
