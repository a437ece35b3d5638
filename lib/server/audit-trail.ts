import { AuditLog } from '@/lib/state/audit';
import { SecurityLog } from '@/lib/state/security-log';
import { runtime } from './runtime';

/** The server's audit log (successful mutations), with the configured cap. */
export function auditLog(): AuditLog {
  const { stateRedis, config } = runtime();
  return new AuditLog(stateRedis, config.statePrefix, { maxEntries: config.audit.maxEntries });
}

/** The server's security log (failures, denials, failed logins), with its own cap. */
export function securityLog(): SecurityLog {
  const { stateRedis, config } = runtime();
  return new SecurityLog(stateRedis, config.statePrefix, config.audit.securityMaxEntries);
}
