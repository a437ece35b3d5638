import { describe, expect, it } from 'vitest';
import { QueueNameSchema, jsonDepthWithin } from './names';
import { pyRepr } from './py-repr';

describe('jsonDepthWithin', () => {
  const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

  it('counts arrays and objects, not scalars', () => {
    expect(jsonDepthWithin('x', 0)).toBe(true);
    expect(jsonDepthWithin([], 0)).toBe(false);
    expect(jsonDepthWithin([1, 'a', null], 1)).toBe(true);
    expect(jsonDepthWithin({ a: [{ b: 1 }] }, 3)).toBe(true);
    expect(jsonDepthWithin({ a: [{ b: [] }] }, 3)).toBe(false);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    expect(jsonDepthWithin(nested(64))).toBe(true);
    expect(jsonDepthWithin(nested(65))).toBe(false);
    expect(jsonDepthWithin(nested(100_000))).toBe(false);
  });

  it('pyRepr elides what is nested too deep instead of overflowing', () => {
    expect(pyRepr(nested(10_000), 50)).toBe(`${'['.repeat(47)}...`);
  });
});

describe('QueueNameSchema', () => {
  it('counts UTF-8 bytes and refuses control characters', () => {
    expect(QueueNameSchema.safeParse('é'.repeat(127)).success).toBe(true);
    expect(QueueNameSchema.safeParse('é'.repeat(128)).success).toBe(false);
    expect(QueueNameSchema.safeParse('x'.repeat(255)).success).toBe(true);
    expect(QueueNameSchema.safeParse('a\u0000b').success).toBe(false);
    expect(QueueNameSchema.safeParse('a\u007fb').success).toBe(false);
    expect(QueueNameSchema.safeParse('').success).toBe(false);
  });
});
