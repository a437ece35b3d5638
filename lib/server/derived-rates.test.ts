import { describe, expect, it } from 'vitest';
import { DerivedRates, RATE_WINDOW_MS } from './derived-rates';

describe('DerivedRates', () => {
  it('is unknown until two samples span a few seconds', () => {
    const rates = new DerivedRates();
    expect(rates.observe('r/q', ['r/q'], 5, 0)).toMatchObject({ enqueue: null, dequeue: null });
    expect(rates.observe('r/q', ['r/q'], 5, 1000)).toMatchObject({ enqueue: null, dequeue: null });
    expect(rates.observe('r/q', ['r/q'], 5, 5000)).toMatchObject({ enqueue: 0, dequeue: 0 });
  });

  it('counts a lane group’s takes from its lanes, once even when reported a sample late', () => {
    const rates = new DerivedRates();
    const members = ['r/lanes', 'r/high', 'r/low'];
    rates.observe('r/lanes', members, 10, 0);
    // 6 taken from the lanes; the workers' events arrive a sample later.
    rates.observe('r/lanes', members, 4, 5000);
    rates.recordTaken('r/high', 4);
    rates.recordTaken('r/low', 2);
    rates.recordTaken('r/other', 50);
    expect(rates.observe('r/lanes', members, 4, 10_000)).toMatchObject({ enqueue: 0, dequeue: 0.6 });
  });

  it('sees arrivals behind a steady depth through the takes workers report', () => {
    const rates = new DerivedRates();
    rates.observe('r/q', ['r/q'], 3, 0);
    rates.recordTaken('r/q', 20);
    expect(rates.observe('r/q', ['r/q'], 3, 10_000)).toMatchObject({ enqueue: 2, dequeue: 2 });
  });

  it('forgets queues not sampled within the window', () => {
    const rates = new DerivedRates();
    rates.observe('r/q', ['r/q'], 1, 0);
    rates.observe('r/q', ['r/q'], 2, 5000);
    expect(rates.rates('r/q')).not.toBeNull();
    rates.prune(5000 + RATE_WINDOW_MS + 1);
    expect(rates.rates('r/q')).toBeNull();
  });
});
