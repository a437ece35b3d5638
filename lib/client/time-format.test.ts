import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAgo, formatAge, formatClock, formatTime } from './time-format';

const AT = '2026-07-01T12:34:56.789Z';

describe('formatTime', () => {
  it('writes local date and time with the zone, to the second (or millisecond when asked)', () => {
    expect(formatTime(AT, { timeZone: 'UTC', locale: 'en-GB' })).toBe('2026-07-01 12:34:56 UTC');
    expect(formatTime(AT, { timeZone: 'Europe/Berlin', locale: 'en-GB' })).toBe('2026-07-01 14:34:56 CEST');
    expect(formatTime(AT, { timeZone: 'America/New_York', locale: 'en-US' })).toBe('2026-07-01 08:34:56 EDT');
    expect(formatTime(AT, { timeZone: 'Asia/Kolkata', locale: 'en-GB', ms: true })).toBe('2026-07-01 18:04:56.789 GMT+5:30');
    // The date follows the zone: just after midnight UTC is still the day before in New York.
    expect(formatTime('2026-01-01T00:30:00Z', { timeZone: 'America/New_York', locale: 'en-US' })).toBe('2025-12-31 19:30:00 EST');
  });
  it('takes epoch milliseconds and Dates as well, and says — for what it cannot read', () => {
    expect(formatTime(Date.parse(AT), { timeZone: 'UTC', locale: 'en-GB' })).toBe('2026-07-01 12:34:56 UTC');
    expect(formatTime(new Date(AT), { timeZone: 'UTC', locale: 'en-GB' })).toBe('2026-07-01 12:34:56 UTC');
    for (const bad of [null, undefined, '', 'yesterday', Number.NaN]) expect(formatTime(bad)).toBe('—');
  });
  it('gives chart axes the clock time alone, in the same zone', () => {
    expect(formatClock(AT, { timeZone: 'Europe/Berlin', locale: 'en-GB' })).toBe('14:34');
    expect(formatClock(AT, { timeZone: 'Europe/Berlin', locale: 'en-GB', seconds: true })).toBe('14:34:56');
  });
});

describe('relative times', () => {
  it('formats ages with two units at most', () => {
    expect(formatAge(42)).toBe('42s');
    expect(formatAge(725)).toBe('12m 5s');
    expect(formatAge(3 * 3600 + 12 * 60)).toBe('3h 12m');
    expect(formatAge(2 * 86400 + 4 * 3600)).toBe('2d 4h');
    expect(formatAge(null)).toBe('—');
  });
  it('says how long ago, "just now" under a second', () => {
    const now = Date.parse(AT);
    expect(formatAgo(AT, now + 400)).toBe('just now');
    expect(formatAgo(AT, now + 65_000)).toBe('1m 5s ago');
    expect(formatAgo('nonsense', now)).toBe('—');
  });
});

/** Every page shows times through this module: no component formats a date by itself. */
describe('one time format everywhere', () => {
  it('no page or component calls the date-formatting built-ins directly', () => {
    const root = path.resolve(__dirname, '../..');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.tsx?$/.test(name) && !name.includes('.test.')) {
          const text = readFileSync(file, 'utf8');
          if (/toLocale(Date|Time)?String\(|Intl\.DateTimeFormat/.test(text)) offenders.push(path.relative(root, file));
        }
      }
    };
    walk(path.join(root, 'components'));
    walk(path.join(root, 'app'));
    expect(offenders).toEqual([]);
  });
});
