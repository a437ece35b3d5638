import { TriageError, describeError } from '@/lib/shared/errors';
import type { Logger } from '@/lib/logger';
import { countEvent } from '@/lib/process-counters';
import { countInWindow } from '@/lib/redis/fixed-window';
import type { AuthStore } from '@/lib/state/auth-store';
import { requestPeer } from './peer';

/**
 * Login throttling (README, Security). Every attempt is counted before its password is
 * checked, in one Redis script, so concurrent guesses cannot all slip under a limit:
 * - per user name and client address: beyond `loginMaxPerUser` attempts in the window that
 *   pair is refused (429) until the window ends;
 * - per client address: beyond `loginMaxPerIp` attempts every name from there is refused;
 * - per user name from all addresses: beyond `loginMaxPerUser` each attempt waits longer
 *   before its password is checked, but is never refused, so failures elsewhere cannot lock
 *   the real user out.
 * Refused attempts cost no password check and are not counted against a limit (they are
 * recorded: audit-trail.ts `recordThrottledLogin`). A successful login takes its
 * own attempt back and clears its pair's count.
 */

export type ThrottleVerdict = { allowed: true; delayMs: number; ticket: LoginTicket } | { allowed: false; retryAfterSec: number };

/** What a successful login hands back to `loginSucceeded`. */
export interface LoginTicket {
  keys: [pair: string, ip: string, user: string];
}

/** The per-user slow-down: 100 ms for the first attempt over the limit, doubling, at most this. */
const MAX_LOGIN_DELAY_MS = 5000;
const FIRST_DELAY_MS = 100;

// KEYS: pair, address, user: the pair starts over, the other two lose this attempt.
const REFUND = `
redis.call('DEL', KEYS[1])
for i = 2, 3 do
  local n = tonumber(redis.call('GET', KEYS[i]) or '0')
  if n > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
`;

function throttleKeys(store: AuthStore, username: string, ip: string): LoginTicket['keys'] {
  const name = username.toLowerCase();
  return [store.keys.loginFailuresPair(name, ip), store.keys.loginFailuresIp(ip), store.keys.loginFailuresUser(name)];
}

export async function admitLogin(store: AuthStore, username: string, ip: string): Promise<ThrottleVerdict> {
  const { loginMaxPerUser, loginMaxPerIp, loginWindowSec } = store.config.auth;
  const keys = throttleKeys(store, username, ip);
  const [pair, address, user] = keys;
  // A script error (a counter key of another type) fails the login: read as 0 it would lift the limit.
  const verdict = await countInWindow(
    store.redis,
    [
      { key: pair, limit: loginMaxPerUser },
      { key: address, limit: loginMaxPerIp },
      // Slows down, never refuses: failures elsewhere must not lock the real user out.
      { key: user, limit: null },
    ],
    loginWindowSec,
  ).catch((error: unknown) => {
    throw new TriageError('UNAVAILABLE', `the login throttle could not be read: ${describeError(error)}`);
  });
  if (!verdict.admitted) return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(verdict.waitMs / 1000)) };
  const over = verdict.lastCount - loginMaxPerUser;
  const delayMs = over > 0 ? Math.min(MAX_LOGIN_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(over - 1, 16)) : 0;
  return { allowed: true, delayMs, ticket: { keys } };
}

/** A refused login is written to the security log at most this often per user name and address. */
export const THROTTLED_LOG_INTERVAL_SEC = 60;

/** Whether this refused login is the first of its pair in the interval (and so gets a security log entry). */
export async function claimThrottledLogEntry(store: AuthStore, username: string, ip: string): Promise<boolean> {
  const key = store.keys.loginThrottleLogged(username.toLowerCase(), ip);
  return (await store.redis.set(key, '1', 'EX', THROTTLED_LOG_INTERVAL_SEC, 'NX')) === 'OK';
}

export async function loginSucceeded(store: AuthStore, ticket: LoginTicket): Promise<void> {
  await store.redis.eval(REFUND, 3, ...ticket.keys);
}

/** What `clientAddress` answers when it cannot tell. */
const UNKNOWN_ADDRESS = 'unknown';

const warned = globalThis as typeof globalThis & { __triageUnknownAddressLogged?: boolean };

/**
 * The address a login is throttled under. Without one (peer.ts did not stamp the request, no
 * trusted X-Forwarded-For) every client would share one bucket, and 50 failures from anywhere
 * would refuse everyone: so it is counted (`triage_unstamped_requests_total`), logged as an
 * error once per process, and with `auth.requireClientAddress` (the default under
 * NODE_ENV=production) the login is refused with 503 instead.
 */
export function loginAddress(request: Request, auth: { trustProxy: boolean; requireClientAddress: boolean }, logger: Pick<Logger, 'error'>): string {
  const address = clientAddress(request, auth.trustProxy);
  if (address !== UNKNOWN_ADDRESS) return address;
  countEvent('unstampedRequests');
  if (!warned.__triageUnknownAddressLogged) {
    warned.__triageUnknownAddressLogged = true;
    logger.error(
      { trustProxy: auth.trustProxy, refused: auth.requireClientAddress },
      'client address unknown: the request carries no socket address stamp (instrumentation.ts did not run?) and no trusted X-Forwarded-For; counted in triage_unstamped_requests_total',
    );
  }
  if (auth.requireClientAddress) throw new TriageError('UNAVAILABLE', 'client address unknown: logins are refused rather than throttled together; see the server log');
  return address;
}

/**
 * The client address for per-address throttling: the socket's (stamped by peer.ts), or behind
 * a trusted proxy the last X-Forwarded-For hop, the address the proxy saw. IPv4 clients on a
 * dual-stack socket are counted under their IPv4 form.
 */
export function clientAddress(request: Request, trustProxy: boolean): string {
  let address = requestPeer(request)?.address;
  if (trustProxy) {
    const hops = request.headers.get('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
    address = hops[hops.length - 1] ?? address;
  }
  return (address ?? UNKNOWN_ADDRESS).replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').slice(0, 64);
}
