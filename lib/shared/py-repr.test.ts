import { describe, expect, it } from 'vitest';
import { pyRepr } from './py-repr';

// Expected values are what CPython 3 prints for repr() of the json.loads()-ed value.

describe('pyRepr scalars', () => {
  it.each([
    [null, 'None'],
    [undefined, 'None'],
    [true, 'True'],
    [false, 'False'],
    [0, '0'],
    [-7, '-7'],
    [42, '42'],
    [9007199254740992, '9007199254740992'],
  ])('%j → %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });

  it.each([
    [0.3, '0.3'],
    [2.5, '2.5'],
    [-1.25, '-1.25'],
    [123456.789, '123456.789'],
    [0.0001, '0.0001'],
    [0.00012, '0.00012'],
    // Python uses exponent notation below 1e-4, with at least two exponent digits.
    [0.00001, '1e-05'],
    [-0.00001, '-1e-05'],
    [1.5e-7, '1.5e-07'],
    [2.5e-100, '2.5e-100'],
    [1e22, '1e+22'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ])('float %s → %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});

describe('pyRepr strings', () => {
  it.each([
    ['', "''"],
    ['Hello!', "'Hello!'"],
    // Python picks double quotes when the string has a single quote and no double quote...
    ["it's", `"it's"`],
    ["o'brien@example.com", `"o'brien@example.com"`],
    // ...single quotes otherwise, escaping the single quotes inside.
    ['say "hi"', `'say "hi"'`],
    [`both ' and "`, `'both \\' and "'`],
    ['back\\slash', "'back\\\\slash'"],
    ['a\nb\tc\r', "'a\\nb\\tc\\r'"],
    ['\\n is not a newline', "'\\\\n is not a newline'"],
    ['\x00\x1b\x7f', "'\\x00\\x1b\\x7f'"],
    ['\xa0nbsp', "'\\xa0nbsp'"],
    ['zero\u200bwidth', "'zero\\u200bwidth'"],
    ['\u2028', "'\\u2028'"],
    ['\u{e0001}', "'\\U000e0001'"],
    // Printable non-ASCII stays as it is.
    ['é中😀', "'é中😀'"],
    ['a b', "'a b'"],
  ])('%j → %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});

describe('pyRepr containers', () => {
  it.each([
    [[], '[]'],
    [{}, '{}'],
    [[1, [2, [3, [4]]]], '[1, [2, [3, [4]]]]'],
    [{ a: { b: [1, null] } }, "{'a': {'b': [1, None]}}"],
    [{ "k'": 1 }, `{"k'": 1}`],
    [[true, false, null, 1.5, 'x'], "[True, False, None, 1.5, 'x']"],
    [{ sleep: 0.3 }, "{'sleep': 0.3}"],
  ])('%j → %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });

  it('keeps dict insertion order, as Python 3.7+ does', () => {
    expect(pyRepr({ z: 1, a: 2, m: 3 })).toBe("{'z': 1, 'a': 2, 'm': 3}");
  });

  it('matches argsrepr/kwargsrepr recorded from Celery 5.2.6 (test/fixtures)', () => {
    expect(pyRepr([42, 'Welcome 2'])).toBe("[42, 'Welcome 2']");
    expect(pyRepr([42, 'Welcome None'])).toBe("[42, 'Welcome None']");
    expect(pyRepr({ body: 'Hello!' })).toBe("{'body': 'Hello!'}");
    expect(pyRepr({ month: '2026-11' })).toBe("{'month': '2026-11'}");
    expect(pyRepr({})).toBe('{}');
    expect(pyRepr({ sleep: 0.3 })).toBe("{'sleep': 0.3}");
  });
});

describe('pyRepr truncation (Celery argsrepr_maxsize = 1024)', () => {
  it('leaves text of exactly 1024 characters alone', () => {
    const value = 'x'.repeat(1022); // plus two quotes = 1024
    expect(pyRepr(value)).toBe(`'${value}'`);
    expect(pyRepr(value)).toHaveLength(1024);
  });

  it('cuts longer text to 1024 characters ending in ...', () => {
    const value = 'x'.repeat(1023);
    const text = pyRepr(value);
    expect(text).toHaveLength(1024);
    expect(text.endsWith('...')).toBe(true);
    expect(text.startsWith("'xxx")).toBe(true);

    const big = pyRepr(Array.from({ length: 10_000 }, (_, i) => i));
    expect(big).toHaveLength(1024);
    expect(big.startsWith('[0, 1, 2, ')).toBe(true);
    expect(big.endsWith('...')).toBe(true);
  });

  it('honours another maximum', () => {
    expect(pyRepr([1, 2, 3, 4, 5], 10)).toBe('[1, 2, ...');
    expect(pyRepr([1, 2, 3, 4, 5], 10)).toHaveLength(10);
    expect(pyRepr([1, 2], 10)).toBe('[1, 2]');
  });
});
