import { describe, expect, it } from 'vitest';
import { DeleteBodySchema, MoveBodySchema, PurgeBodySchema, ReprioritizeBodySchema, selectionParams, selectorOf } from './schemas';

describe('control body schemas', () => {
  it('accepts the contract shapes', () => {
    expect(ReprioritizeBodySchema.parse({ priority: 0, match: { task: 'a', priorities: [9, 9] }, dryRun: true })).toMatchObject({ priority: 0 });
    expect(MoveBodySchema.parse({ to: { broker: 'redis', queue: 'q' }, ids: ['x'], priority: 3 })).toMatchObject({ priority: 3 });
    expect(PurgeBodySchema.parse({ confirm: 'q' })).toEqual({ confirm: 'q' });
  });

  it('refuses an empty match, empty ids, out-of-range priorities and unknown fields', () => {
    for (const body of [
      { priority: 0, match: {} },
      { priority: 0, ids: [] },
      { priority: 10 },
      { priority: 1.5 },
      { priority: 0, match: { priorities: [] } },
      { priority: 0, match: { priorities: [12] } },
      { priority: 0, all: true },
    ]) {
      expect(ReprioritizeBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
    expect(DeleteBodySchema.safeParse({}).success).toBe(false);
    expect(MoveBodySchema.safeParse({ to: { broker: 'redis' } }).success).toBe(false);
  });

  it('turns ids and match into one selector (AND), nothing meaning everything', () => {
    expect(selectorOf({})).toEqual({});
    expect(selectorOf({ ids: ['a', 'a', 'b'], match: { task: 't', priorities: [3, 3] } })).toEqual({ ids: ['a', 'b'], task: 't', priorities: [3] });
    expect(selectionParams({})).toEqual({ all: true });
    expect(selectionParams({ ids: Array.from({ length: 30 }, (_, i) => String(i)) }).ids).toMatchObject({ count: 30 });
  });
});
