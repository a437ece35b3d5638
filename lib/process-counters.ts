/**
 * Counters of things that went wrong in this server process, for `/metrics` (lib/server/metrics.ts):
 * kept in memory because they must count even when the state Redis is what failed. On
 * globalThis: route handlers and instrumentation are separate bundles in one process.
 */

export const PROCESS_COUNTERS = {
  /** Audit entries of operations that succeeded but could not be written (lib/control/context.ts). */
  auditWriteFailures: 'triage_audit_write_failures_total',
  /** Logins whose client address could not be told (lib/server/throttle.ts). */
  unstampedRequests: 'triage_unstamped_requests_total',
  /** Login attempts refused by the throttle (429), every one, logged or not (lib/server/audit-trail.ts). */
  loginThrottled: 'triage_login_throttled_total',
} as const;

export type ProcessCounter = keyof typeof PROCESS_COUNTERS;

const holder = globalThis as typeof globalThis & { __triageCounters?: Map<ProcessCounter, number> };

function counters(): Map<ProcessCounter, number> {
  holder.__triageCounters ??= new Map();
  return holder.__triageCounters;
}

export function countEvent(counter: ProcessCounter, by = 1): void {
  counters().set(counter, (counters().get(counter) ?? 0) + by);
}

export function processCount(counter: ProcessCounter): number {
  return counters().get(counter) ?? 0;
}
