import { execOrThrow } from '@/lib/state/multi';
import type { AuthStore } from './auth-store';

/**
 * Failed-login counters per user name and per client address, each expiring `loginWindowSec`
 * after its first failure. Over the limit, logins are refused before the password is checked
 * (so throttled guesses cost nothing and teach nothing) until the window ends.
 */

export interface ThrottleVerdict {
  allowed: boolean;
  /** Seconds until the blocking counter expires (when not allowed). */
  retryAfterSec: number;
}

function userKey(store: AuthStore, username: string): string {
  return store.keys.loginFailuresUser(username.toLowerCase());
}

export async function checkLoginThrottle(store: AuthStore, username: string, ip: string): Promise<ThrottleVerdict> {
  const { loginMaxPerUser, loginMaxPerIp } = store.config.auth;
  const uKey = userKey(store, username);
  const iKey = store.keys.loginFailuresIp(ip);
  // A command error (a counter key of another type) fails the check: read as 0 it would lift the limit.
  const replies = await execOrThrow(store.redis.multi().get(uKey).pttl(uKey).get(iKey).pttl(iKey));
  const [u, uTtl, i, iTtl] = replies.map((value) => Number(value ?? 0));
  let waitMs = 0;
  if ((u ?? 0) >= loginMaxPerUser) waitMs = Math.max(waitMs, uTtl ?? 0);
  if ((i ?? 0) >= loginMaxPerIp) waitMs = Math.max(waitMs, iTtl ?? 0);
  if (waitMs === 0 && ((u ?? 0) >= loginMaxPerUser || (i ?? 0) >= loginMaxPerIp)) waitMs = 1000;
  return waitMs > 0 ? { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) } : { allowed: true, retryAfterSec: 0 };
}

export async function recordLoginFailure(store: AuthStore, username: string, ip: string): Promise<void> {
  const windowSec = store.config.auth.loginWindowSec;
  const uKey = userKey(store, username);
  const iKey = store.keys.loginFailuresIp(ip);
  // EXPIRE NX: the window starts at the first failure and is not stretched by later ones.
  await execOrThrow(store.redis.multi().incr(uKey).expire(uKey, windowSec, 'NX').incr(iKey).expire(iKey, windowSec, 'NX'));
}

export async function clearLoginFailures(store: AuthStore, username: string): Promise<void> {
  await store.redis.del(userKey(store, username));
}

/**
 * The client address for per-address throttling. Next fills X-Forwarded-For with the socket
 * address only when the client sent none, so without a trusted proxy a client can choose its
 * own "address" here; the per-user limit still holds. Behind a trusted proxy, the last hop
 * is the address the proxy saw.
 */
export function clientAddress(request: Request, trustProxy: boolean): string {
  const forwarded = request.headers.get('x-forwarded-for');
  const hops = forwarded?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  const address = trustProxy ? hops[hops.length - 1] : hops[0];
  return (address ?? 'unknown').slice(0, 64);
}
