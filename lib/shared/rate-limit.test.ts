import { describe, expect, it } from 'vitest';
import { tasksPerMs } from './rate-limit';

describe('Celery rate-limit strings', () => {
  it('reads per second, minute and hour; 0 is no limit', () => {
    expect(tasksPerMs('6/m')).toBeCloseTo(6 / 60_000);
    expect(tasksPerMs('10/s')).toBeCloseTo(10 / 1000);
    expect(tasksPerMs('2')).toBeCloseTo(2 / 1000);
    expect(tasksPerMs('3.5/h')).toBeCloseTo(3.5 / 3_600_000);
    expect(tasksPerMs('0')).toBeNull();
  });
  it('refuses anything else', () => {
    for (const bad of ['', 'fast', '10/d', '-1/m', '1/m/s']) expect(() => tasksPerMs(bad)).toThrow(/invalid rate limit/);
  });
});
