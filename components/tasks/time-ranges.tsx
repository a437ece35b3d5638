/** Spans back from now, as `since` values: a link keeps meaning "the last hour" whenever it is opened. */
export const TIME_RANGES = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
] as const;

/** The spans as <option>s, and `current` first when a link brought another `since` (an ISO time, say). */
export function TimeRangeOptions({ current }: { current: string }) {
  const preset = current === '' || TIME_RANGES.some((r) => r.value === current);
  return (
    <>
      {preset ? null : <option value={current}>since {current}</option>}
      {TIME_RANGES.map((r) => (
        <option key={r.value} value={r.value}>
          {r.label}
        </option>
      ))}
    </>
  );
}
