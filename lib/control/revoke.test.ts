import { describe, expect, it } from 'vitest';
import { RevokeBodySchema, RevokeOneBodySchema, terminatedIn } from './revoke';

describe('revoke', () => {
  it("reads the ids a Celery worker's revoke reply says it terminated", () => {
    expect(terminatedIn({ ok: 'terminate: a1, b2' })).toEqual(['a1', 'b2']);
    expect(terminatedIn({ ok: 'terminate: tasks unknown' })).toEqual([]);
    expect(terminatedIn({ ok: 'tasks a1 flagged as revoked' })).toEqual([]);
    expect(terminatedIn(null)).toEqual([]);
  });

  it('names the field a bad body gets wrong', () => {
    const paths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => result.error?.issues.map((i) => i.path.join('.'));
    expect(paths(RevokeOneBodySchema.safeParse({ signal: 'SIGKILL' }))).toEqual(['signal']);
    expect(paths(RevokeOneBodySchema.safeParse({ terminate: true, signal: 'SIGHUP' }))).toEqual(['signal']);
    expect(RevokeOneBodySchema.safeParse({ terminate: true, signal: 'SIGKILL' }).success).toBe(true);
    expect(paths(RevokeBodySchema.safeParse({ dryRun: true }))).toEqual(['ids']);
    expect(paths(RevokeBodySchema.safeParse({ ids: ['a'], match: { broker: 'redis', queue: 'q' } }))).toEqual(['ids']);
    expect(paths(RevokeBodySchema.safeParse({ match: { broker: 'redis' } }))).toEqual(['match.queue']);
    expect(RevokeBodySchema.safeParse({ match: { broker: 'redis', queue: 'q', task: 'report' }, dryRun: true }).success).toBe(true);
  });

  it("takes the explorer's filter as the query names it, never empty, never with ids or match", () => {
    const paths = (body: unknown) => RevokeBodySchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const parsed = RevokeBodySchema.parse({ filter: { state: 'active,received', task: 'Report', priority: 'high', since: '15m' }, terminate: true, dryRun: true });
    expect(parsed.filter).toMatchObject({ states: ['active', 'received'], tasks: ['report'], priorities: [0, 1, 2], queues: null });
    expect(parsed.filter?.since).toBeGreaterThan(Date.now() - 16 * 60_000);
    expect(paths({ filter: {} })).toEqual([expect.stringMatching(/^filter: filter is empty/)]);
    expect(paths({ filter: { q: '   ' } })).toEqual([expect.stringMatching(/^filter: filter is empty/)]);
    expect(paths({ filter: { state: 'asleep' } })).toEqual([expect.stringMatching(/^filter\.state: state: unknown state "asleep"/)]);
    expect(paths({ filter: { since: '1h', until: '2h' } })).toEqual(['filter.since: since: must not be after until']);
    expect(paths({ filter: { queue: 'q' }, ids: ['a'] })?.[0]).toMatch(/^ids: give exactly one of ids/);
    expect(paths({ filter: { queue: 'q' }, match: { broker: 'redis', queue: 'q' } })?.[0]).toMatch(/^ids: give exactly one of ids/);
    expect(paths({ filter: { queue: 'q', cursor: 'x' } })?.[0]).toMatch(/^filter: Unrecognized key/);
  });
});
