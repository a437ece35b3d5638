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
});
