import type { Redis } from 'ioredis';
import { SECURITY_EVENT_KINDS, type SecurityEventKind } from '@/lib/shared/types';
import { AuditLog, type AuditFilter, type AuditPage, type NewAuditEntry } from './audit';
import { stateKeys } from './keys';

type NewSecurityEntry = NewAuditEntry & { kind: SecurityEventKind };

/**
 * Failed operations, failed logins and refused requests (403): a stream apart from the audit
 * log with a cap of its own, so a flood of failures (a script retrying, someone guessing
 * passwords) trims only older failures and never the record of what was actually changed.
 * Every event is also counted per kind, uncapped, for `/metrics`.
 */
export class SecurityLog {
  private readonly log: AuditLog;
  private readonly countsKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    maxEntries?: number,
  ) {
    this.log = new AuditLog(redis, prefix, { log: 'security', ...(maxEntries === undefined ? {} : { maxEntries }) });
    this.countsKey = stateKeys(prefix).securityCounts;
  }

  async record(entry: NewSecurityEntry): Promise<void> {
    await Promise.all([this.log.append(entry), this.redis.hincrby(this.countsKey, entry.kind, 1)]);
  }

  page(limit: number, cursor?: string | null, filter: AuditFilter = {}): Promise<AuditPage> {
    return this.log.page(limit, cursor, filter);
  }

  /** Events recorded per kind since the state was created; every kind present (0 when none). */
  async counts(): Promise<Record<SecurityEventKind, number>> {
    const raw = await this.redis.hgetall(this.countsKey);
    return Object.fromEntries(SECURITY_EVENT_KINDS.map((kind) => [kind, Number(raw[kind] ?? 0)])) as Record<SecurityEventKind, number>;
  }
}
