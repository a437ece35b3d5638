/** Display helpers shared by the overview's cells. "—" always means "the broker cannot tell". */

// Times and ages are formatted in one place for every page.
export { UNKNOWN, formatAge, formatAgo } from '@/lib/client/time-format';

const integer = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return integer.format(n);
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
