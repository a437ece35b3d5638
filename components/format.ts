/** Display helpers shared by the overview's cells. "—" always means "the broker cannot tell". */

export const UNKNOWN = '—';

const integer = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return integer.format(n);
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

export function formatRate(perSecond: number | null): string | null {
  if (perSecond === null || !Number.isFinite(perSecond)) return null;
  if (perSecond === 0) return '0/s';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${Math.round(perSecond)}/s`;
}

export function rangeLabel([from, to]: readonly [number, number]): string {
  return from === to ? String(from) : `${from}–${to}`;
}

/** "4s ago" from an ISO time; "just now" under a second; UNKNOWN for unreadable times. */
export function formatAgo(iso: string | null | undefined, now: number): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(at)) return UNKNOWN;
  const seconds = (now - at) / 1000;
  return seconds < 1 ? 'just now' : `${formatAge(seconds)} ago`;
}
