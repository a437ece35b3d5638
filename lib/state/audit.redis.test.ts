import { afterAll, describe, expect, it } from 'vitest';
import { rawRedis, uniqueName } from '@/test/support';
import { AUDIT_SCAN_LIMIT, AuditLog, type AuditEntry } from './audit';

const redis = rawRedis();
const prefix = `${uniqueName('audit')}:`;
const log = new AuditLog(redis, prefix);

afterAll(async () => {
  await redis.del(`${prefix}audit`);
  redis.disconnect();
});

async function all(filter: Parameters<AuditLog['page']>[2], limit: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const page = await log.page(limit, cursor, filter);
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    out.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('AuditLog filters', () => {
  it('pages through exactly the matching entries, newest first, across scan batches', async () => {
    // 1,200 entries: every 7th a retry by alice on queue "a", so matches straddle the 500-entry batches.
    for (let i = 0; i < 1200; i++) {
      await log.append({
        actor: i % 7 === 0 ? 'alice' : 'bob',
        role: 'operator',
        action: i % 7 === 0 ? 'retry' : 'delete',
        target: { broker: 'redis', queue: i % 2 === 0 ? 'a' : 'b' },
        params: { i },
        result: {},
      });
    }
    const expected = Array.from({ length: 1200 }, (_, i) => i)
      .filter((i) => i % 7 === 0)
      .reverse();
    const retries = await all({ action: 'retry' }, 30);
    expect(retries.map((e) => e.params.i)).toEqual(expected);
    const alice = await all({ actor: 'alice', queue: 'a' }, 50);
    expect(alice.map((e) => e.params.i)).toEqual(expected.filter((i) => i % 2 === 0));
    expect(alice.every((e) => e.actor === 'alice' && e.target.queue === 'a')).toBe(true);
    expect(await all({ queue: 'nowhere' }, 10)).toEqual([]);
    // Unfiltered paging is unchanged.
    expect((await all({}, 500)).length).toBe(1200);
  });

  it('stops a sparse filtered page after the scan limit and hands back a cursor to go on', async () => {
    for (let i = 0; i < AUDIT_SCAN_LIMIT; i++) {
      await log.append({ actor: 'carol', role: 'admin', action: 'purge', target: { broker: 'redis', queue: 'c' }, params: {}, result: {} });
    }
    const first = await log.page(10, null, { actor: 'alice' });
    expect(first.entries).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const rest = await all({ actor: 'alice' }, 10);
    expect(rest.length).toBe(Math.ceil(1200 / 7));
  });
});
