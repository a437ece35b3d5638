import { describe, expect, it } from 'vitest';
import { PRIORITIES } from './priority';
import { priorityLabel, priorityOptionLabel } from './priority-label';

describe('priority labels', () => {
  it('name each priority with its band, 0 to 9', () => {
    expect(PRIORITIES.map(priorityLabel).join(', ')).toBe(
      '0 · high, 1 · high, 2 · high, 3 · medium, 4 · medium, 5 · medium, 6 · low, 7 · low, 8 · low, 9 · low',
    );
  });

  it('say in a picker that 0 is the most urgent, and nothing more for the others', () => {
    expect(priorityOptionLabel(0)).toBe('0 · high (most urgent)');
    expect(priorityOptionLabel(1)).toBe('1 · high');
    expect(priorityOptionLabel(9)).toBe('9 · low');
  });

  it('refuse what is not a priority instead of naming it', () => {
    expect(() => priorityLabel(10)).toThrow(/0 \(most urgent\) to 9/);
    expect(() => priorityLabel(-1)).toThrow();
    expect(() => priorityOptionLabel(2.5)).toThrow();
  });
});
