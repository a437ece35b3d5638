import type { Redis } from 'ioredis';
import { TriageError } from '@/lib/shared/errors';
import { stateKeys } from './keys';

/** product.md §4: AuditEntry = {id, at, actor, role, action, target: {broker, queue?, task?}, params, result}. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: { broker: string; queue?: string; task?: string };
  params: Record<string, unknown>;
  /** Counts on success; `{ error: {code, message} }` when the action failed. */
  result: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: string };

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** Entries kept; older ones are trimmed (approximately, so XADD stays O(1)). */
export const AUDIT_MAX_ENTRIES = 100_000;
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * The audit log: a capped Redis stream under the state prefix, newest first when read.
 * The stream id is the entry id and the paging cursor (exclusive), so pages stay stable
 * while new entries arrive.
 */
export class AuditLog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = stateKeys(prefix).audit;
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const at = entry.at ?? new Date().toISOString();
    const record = { ...entry, at };
    const id = await this.redis.xadd(this.key, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', 'entry', JSON.stringify(record));
    return { id: id ?? '', ...record };
  }

  /** Newest first; `cursor` is the id of the last entry of the previous page. */
  async page(limit: number, cursor?: string | null): Promise<AuditPage> {
    if (cursor && !STREAM_ID.test(cursor)) throw new TriageError('INVALID', 'cursor is not one this server issued', { path: ['cursor'] });
    const end = cursor ? `(${cursor}` : '+';
    const rows = await this.redis.xrevrange(this.key, end, '-', 'COUNT', limit + 1);
    const entries: AuditEntry[] = [];
    for (const [id, fields] of rows.slice(0, limit)) {
      const json = fields[fields.indexOf('entry') + 1];
      try {
        entries.push({ id, ...(JSON.parse(json ?? '{}') as Omit<AuditEntry, 'id'>) });
      } catch {
        // A foreign or corrupt entry is skipped rather than failing the whole page.
      }
    }
    const more = rows.length > limit;
    return { entries, nextCursor: more ? (rows[limit - 1]?.[0] ?? null) : null };
  }
}
