let isoAt = 0;
let iso = '';

/**
 * `new Date().toISOString()`, formatted once per millisecond: a bulk enqueue stamps
 * thousands of tasks in one, and a busy worker records hundreds of state changes.
 */
export function nowIso(): string {
  const now = Date.now();
  if (now !== isoAt) {
    isoAt = now;
    iso = new Date(now).toISOString();
  }
  return iso;
}
