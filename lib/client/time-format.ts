/**
 * How every page writes times (issue: pages mixed ISO strings, locale strings and "ago"):
 * absolute times are the viewer's local date and time with the zone,
 * `2026-07-01 14:34:56 CEST` (year first, 24-hour: sortable and unambiguous at 3 a.m. across
 * teams), and relative ones are "12m 5s ago". Pages show one and give the other on hover or
 * beside it (components/time.tsx). "—" means the time is unknown or unreadable.
 */
export const UNKNOWN = '—';

export interface TimeFormatOptions {
  /** Milliseconds too: the order of a task's events within a second matters. */
  ms?: boolean;
  /** For tests; the viewer's zone otherwise. */
  timeZone?: string;
  /** Locale for the zone's name (CEST, EDT, GMT+5:30); the viewer's otherwise. */
  locale?: string;
}

type TimeInput = string | number | Date | null | undefined;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: 'full' | 'clock', { timeZone, locale }: TimeFormatOptions, seconds = true): Intl.DateTimeFormat {
  const key = `${kind}|${timeZone ?? ''}|${locale ?? ''}|${seconds}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, {
      ...(kind === 'full' ? { year: 'numeric', month: '2-digit', day: '2-digit', timeZoneName: 'short' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
      timeZone,
    });
    formatters.set(key, found);
  }
  return found;
}

function toMs(at: TimeInput): number {
  if (at === null || at === undefined || at === '') return Number.NaN;
  if (at instanceof Date) return at.getTime();
  return typeof at === 'number' ? at : Date.parse(at);
}

function partsOf(f: Intl.DateTimeFormat, ms: number): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) parts[part.type] = part.value;
  return parts;
}

/** `2026-07-01 14:34:56 CEST` (with `.789` before the zone when `ms`); "—" when unreadable. */
export function formatTime(at: TimeInput, options: TimeFormatOptions = {}): string {
  const ms = toMs(at);
  if (!Number.isFinite(ms)) return UNKNOWN;
  const p = partsOf(formatter('full', options), ms);
  const fraction = options.ms ? `.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}` : '';
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}${fraction} ${p.timeZoneName}`;
}

/** Clock time alone (`14:34`), for chart axes whose title already says the zone and day. */
export function formatClock(at: TimeInput, options: TimeFormatOptions & { seconds?: boolean } = {}): string {
  const ms = toMs(at);
  if (!Number.isFinite(ms)) return UNKNOWN;
  const p = partsOf(formatter('clock', options, options.seconds ?? false), ms);
  return options.seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** 42s, 12m 5s, 3h 12m, 2d 4h: two units at most, enough to judge "is this stuck?". */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return UNKNOWN;
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "4s ago" from a time; "just now" under a second; "—" for unreadable times. */
export function formatAgo(at: TimeInput, now: number): string {
  const ms = toMs(at);
  if (!Number.isFinite(ms)) return UNKNOWN;
  const seconds = (now - ms) / 1000;
  return seconds < 1 ? 'just now' : `${formatAge(seconds)} ago`;
}
