import { audited, type AuditedAction } from '@/lib/control/context';
import { control } from './control';
import type { SecurityLog } from '@/lib/state/security-log';
import type { TriageError } from '@/lib/shared/errors';
import { countEvent } from '@/lib/process-counters';
import type { Actor } from './auth';
import type { AuthStore } from '@/lib/state/auth-store';
import { THROTTLED_LOG_INTERVAL_SEC, claimThrottledLogEntry } from './throttle';
import { runtime } from './runtime';

/**
 * The audit and security logs as route handlers use them, with the configured caps: what
 * admins change outside control operations (users, tokens), refused requests and failed
 * logins. Writing a log never changes a response: a write that fails is logged and dropped.
 */

export function serverSecurityLog(): SecurityLog {
  return runtime().state.securityLog;
}

/** Runs `work` as `actor`: the audit log on success (with `summary` of its value), the security log on failure. */
export function auditedRequest<T>(actor: Actor | null, spec: AuditedAction, work: () => Promise<T>, summary: (value: T) => Record<string, unknown> = () => ({})): Promise<T> {
  return audited(control(actor), spec, work, summary);
}

/** A 403 (role too low, CSRF): who tried which method on which path; broker and queue when the path names them. */
export async function recordDenial(request: Request, actor: Actor, error: TriageError, params: Record<string, unknown>): Promise<void> {
  const target: { broker?: string; queue?: string } = {};
  if (typeof params.broker === 'string') target.broker = params.broker;
  if (typeof params.queue === 'string') target.queue = params.queue;
  await serverSecurityLog()
    .record({
      kind: 'denied',
      actor: actor.name,
      role: actor.role,
      action: `${request.method} ${new URL(request.url).pathname}`,
      target,
      params: { via: actor.via },
      result: { error: { code: error.code, message: error.message } },
    })
    .catch((err: unknown) => runtime().logger.warn({ err }, 'could not write the security log'));
}

/** A refused login, in the security log and the server log: the user name as typed and the client address, never the password. */
export async function recordFailedLogin(username: string, address: string, error: { code: string; message: string }): Promise<void> {
  const rt = runtime();
  rt.logger.warn({ user: username, ip: address, code: error.code }, 'login failed');
  await serverSecurityLog()
    .record({ kind: 'login_failed', actor: username, role: 'none', action: 'login', target: { user: username }, params: { address }, result: { error } })
    .catch((err: unknown) => rt.logger.warn({ err }, 'could not write the security log'));
}

/**
 * A login the throttle refused (429): every one counted (`triage_login_throttled_total`), the
 * first per user name and address in a minute also recorded as a failed login with code
 * THROTTLED, so a flood of refused attempts cannot push the rest of the security log out.
 */
export async function recordThrottledLogin(store: AuthStore, username: string, address: string, retryAfterSec: number): Promise<void> {
  countEvent('loginThrottled');
  const first = await claimThrottledLogEntry(store, username, address).catch((err: unknown) => {
    runtime().logger.warn({ err }, 'could not write the security log');
    return false;
  });
  if (!first) return;
  await recordFailedLogin(username, address, {
    code: 'THROTTLED',
    message: `refused without a password check for ${retryAfterSec} s more; further refusals of this name from this address within ${THROTTLED_LOG_INTERVAL_SEC} s are only counted`,
  });
}
