import { describe, expect, it } from 'vitest';
import { RecentAnswers } from './recent-answer';

describe('RecentAnswers', () => {
  it('asks once for callers within the age, again after it, and per key', async () => {
    let now = 0;
    const recent = new RecentAnswers<number>(1000, () => now);
    let asked = 0;
    const ask = async () => ++asked;
    expect(await Promise.all([recent.get('a', ask), recent.get('a', ask)])).toEqual([1, 1]);
    now = 999;
    expect(await recent.get('a', ask)).toBe(1);
    expect(await recent.get('b', ask)).toBe(2);
    now = 1000;
    expect(await recent.get('a', ask)).toBe(3);
    expect(asked).toBe(3);
  });

  it('does not keep a failure: the next caller asks again', async () => {
    const recent = new RecentAnswers<string>(1000, () => 0);
    await expect(recent.get('a', () => Promise.reject(new Error('timed out')))).rejects.toThrow('timed out');
    expect(await recent.get('a', async () => 'answered')).toBe('answered');
  });
});
