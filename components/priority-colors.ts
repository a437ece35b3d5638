import type { Band } from '@/lib/shared/priority';

/**
 * One color per priority, used by every chart, bar and chip so "red" always means 0.
 * Hot to cold: 0 (most urgent) is red, the low band fades to slate. The class names are
 * written out in full because Tailwind only generates classes it finds as literal text.
 */
export const PRIORITY_BG: readonly string[] = [
  'bg-red-600',
  'bg-orange-500',
  'bg-amber-400',
  'bg-yellow-300',
  'bg-lime-400',
  'bg-emerald-500',
  'bg-cyan-500',
  'bg-sky-600',
  'bg-indigo-400',
  'bg-slate-400',
];

export function priorityBg(priority: number): string {
  return PRIORITY_BG[priority] ?? 'bg-slate-400';
}

export const BANDS: readonly { band: Band; label: string; from: number; to: number }[] = [
  { band: 'high', label: 'high', from: 0, to: 2 },
  { band: 'medium', label: 'medium', from: 3, to: 5 },
  { band: 'low', label: 'low', from: 6, to: 9 },
];

/**
 * The same colors as CSS values for SVG charts (recharts takes a fill, not a class). They
 * read Tailwind's theme variables, which exist because the classes above are in use.
 */
export const PRIORITY_FILL: readonly string[] = PRIORITY_BG.map((cls) => `var(--color-${cls.slice('bg-'.length)})`);

export function priorityFill(priority: number): string {
  return PRIORITY_FILL[priority] ?? 'var(--color-slate-400)';
}

/** The chip a priority is shown with in lists ("P1" on its color). */
export const PRIORITY_BADGE = 'inline-flex h-5 min-w-7 items-center justify-center rounded px-1 text-xs font-bold text-black';
