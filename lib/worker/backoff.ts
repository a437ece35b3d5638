/**
 * Retry delays: exponential backoff with "equal jitter" (half fixed, half random), capped.
 * Attempt n (0 = the first retry) waits between base·2ⁿ/2 and base·2ⁿ, so delays grow
 * while retries of many tasks failing together spread out instead of stampeding.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function retryDelayMs(retry: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry));
  return Math.round(exp / 2 + (exp / 2) * random());
}
