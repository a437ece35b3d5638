import type { Redis } from 'ioredis';
import { TriageError } from '@/lib/shared/errors';
import type { AuditEntry } from '@/lib/shared/types';
import { stateKeys } from './keys';

export type { AuditEntry };

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'> & { at?: string };

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}

/** Exact-match filters; absent fields match everything. */
export interface AuditFilter {
  action?: string;
  actor?: string;
  broker?: string;
  queue?: string;
  /** Security log only. */
  kind?: string;
}

/**
 * Entries one filtered page reads at most. A stream cannot be filtered server-side, so a
 * rare match could otherwise mean reading all 100,000 entries in one request; past this
 * the page ends early with a cursor to continue from (fewer entries, never a wrong one).
 */
export const AUDIT_SCAN_LIMIT = 5000;
const SCAN_BATCH = 500;

function matches(entry: AuditEntry, filter: AuditFilter): boolean {
  return (
    (filter.action === undefined || entry.action === filter.action) &&
    (filter.actor === undefined || entry.actor === filter.actor) &&
    (filter.broker === undefined || entry.target?.broker === filter.broker) &&
    (filter.queue === undefined || entry.target?.queue === filter.queue) &&
    (filter.kind === undefined || entry.kind === filter.kind)
  );
}

/** Entries kept by default; older ones are trimmed (approximately, so XADD stays O(1)). */
export const AUDIT_MAX_ENTRIES = 100_000;

interface AuditLogOptions {
  /** The stream: the audit log (successful mutations) or the security log (failures, denials). */
  log?: 'audit' | 'security';
  /** The cap (`audit.maxEntries` / `audit.securityMaxEntries` in the config). */
  maxEntries?: number;
}
const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const U64_MAX = 2n ** 64n - 1n;

/** Both halves must fit Redis's unsigned 64-bit stream ids, or XREVRANGE answers an error. */
function isStreamId(cursor: string): boolean {
  return STREAM_ID.test(cursor) && cursor.split('-').every((part) => BigInt(part) <= U64_MAX);
}

/**
 * The audit log: a capped Redis stream under the state prefix, newest first when read.
 * The stream id is the entry id and the paging cursor (exclusive), so pages stay stable
 * while new entries arrive.
 */
export class AuditLog {
  private readonly key: string;
  private readonly maxEntries: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: AuditLogOptions = {},
  ) {
    const keys = stateKeys(prefix);
    this.key = options.log === 'security' ? keys.securityLog : keys.audit;
    this.maxEntries = options.maxEntries ?? AUDIT_MAX_ENTRIES;
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const at = entry.at ?? new Date().toISOString();
    const record = { ...entry, at };
    const id = await this.redis.xadd(this.key, 'MAXLEN', '~', this.maxEntries, '*', 'entry', JSON.stringify(record));
    return { id: id ?? '', ...record };
  }

  /** One entry by its id; null when it is unknown or trimmed. */
  async get(id: string): Promise<AuditEntry | null> {
    if (!isStreamId(id)) return null;
    const [row] = await this.redis.xrange(this.key, id, id);
    return row ? parseEntry(row[0], row[1]) : null;
  }

  /** Newest first; `cursor` is the id of the last entry of the previous page. */
  async page(limit: number, cursor?: string | null, filter: AuditFilter = {}): Promise<AuditPage> {
    if (cursor && !isStreamId(cursor)) throw new TriageError('INVALID', 'cursor is not one this server issued', { path: ['cursor'] });
    if (Object.values(filter).every((v) => v === undefined)) return this.unfiltered(limit, cursor);
    const entries: AuditEntry[] = [];
    let last = cursor ?? null;
    let scanned = 0;
    while (entries.length < limit && scanned < AUDIT_SCAN_LIMIT) {
      const rows = await this.redis.xrevrange(this.key, last ? `(${last}` : '+', '-', 'COUNT', SCAN_BATCH);
      for (const [id, fields] of rows) {
        last = id;
        scanned++;
        const entry = parseEntry(id, fields);
        if (entry && matches(entry, filter)) entries.push(entry);
        if (entries.length === limit) break;
      }
      if (rows.length < SCAN_BATCH && entries.length < limit) return { entries, nextCursor: null };
    }
    // Full page or scan limit: more may follow from the last entry read (an empty next page is possible).
    return { entries, nextCursor: last };
  }

  private async unfiltered(limit: number, cursor?: string | null): Promise<AuditPage> {
    const end = cursor ? `(${cursor}` : '+';
    const rows = await this.redis.xrevrange(this.key, end, '-', 'COUNT', limit + 1);
    const entries: AuditEntry[] = [];
    for (const [id, fields] of rows.slice(0, limit)) {
      const entry = parseEntry(id, fields);
      if (entry) entries.push(entry);
    }
    const more = rows.length > limit;
    return { entries, nextCursor: more ? (rows[limit - 1]?.[0] ?? null) : null };
  }
}

/** A foreign or corrupt entry is skipped (null) rather than failing the whole page. */
function parseEntry(id: string, fields: string[]): AuditEntry | null {
  const json = fields[fields.indexOf('entry') + 1];
  try {
    return { id, ...(JSON.parse(json ?? '{}') as Omit<AuditEntry, 'id'>) };
  } catch {
    return null;
  }
}
