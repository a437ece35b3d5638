import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  it('doubles per retry within [half, full] of the exponential', () => {
    expect(retryDelayMs(0, policy, () => 0)).toBe(500);
    expect(retryDelayMs(0, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(3, policy, () => 0)).toBe(4000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(8000);
  });
  it('never exceeds the cap', () => {
    expect(retryDelayMs(30, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(30_000);
  });
  it('grows: the smallest delay of retry n+1 is at least the largest of retry n', () => {
    for (let n = 0; n < 5; n++) expect(retryDelayMs(n + 1, policy, () => 0)).toBeGreaterThanOrEqual(retryDelayMs(n, policy, () => 1));
  });
});
