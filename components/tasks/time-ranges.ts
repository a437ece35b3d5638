/** Spans back from now, as `since` values: a link keeps meaning "the last hour" whenever it is opened. */
export const TIME_RANGES = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
] as const;

export function isTimeRange(value: string): boolean {
  return TIME_RANGES.some((r) => r.value === value);
}
