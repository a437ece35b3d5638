import { describe, expect, it } from 'vitest';
import { jsonMember, jsonString } from './json-text';

describe('json-text', () => {
  it('writes strings exactly as JSON.stringify does', () => {
    const samples = ['', 'plain ascii 123', 'quote " and \\ backslash', 'tab\t newline\n nul\u0000', 'café', '\u2028', '\ud800 lone', '😀', '/slash', '~\u007f'];
    for (const s of samples) expect(jsonString(s)).toBe(JSON.stringify(s));
  });

  it('writes member values exactly as JSON.stringify does, undefined where it leaves them out', () => {
    const samples: unknown[] = [0, -0, 7, 1.5, 1e21, -1e-7, NaN, Infinity, true, false, null, 'x"y', [1, 'a', null], { a: [undefined] }, new Date(0)];
    for (const v of samples) expect(jsonMember(v)).toBe(JSON.stringify(v));
    expect(jsonMember(undefined)).toBeUndefined();
    expect(jsonMember(() => 1)).toBeUndefined();
  });
});
