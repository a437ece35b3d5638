/**
 * Celery's rate-limit strings (`celery.utils.time.rate`): a number of tasks per second, or
 * per `s`/`m`/`h` after a slash (`"10/m"`); 0 turns the limit off.
 */
export const RATE_LIMIT_PATTERN = /^\d+(\.\d+)?(\/[smh])?$/;

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Tasks allowed per millisecond; null when the limit is off (0). Throws on a malformed string. */
export function tasksPerMs(rate: string): number | null {
  if (!RATE_LIMIT_PATTERN.test(rate)) throw new Error(`invalid rate limit ${JSON.stringify(rate)}: use a number per second or N/s, N/m, N/h`);
  const [count, unit] = rate.split('/') as [string, keyof typeof UNIT_MS | undefined];
  const n = Number(count);
  return n === 0 ? null : n / UNIT_MS[unit ?? 's'];
}
