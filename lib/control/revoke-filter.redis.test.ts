import { afterAll, describe, expect, it } from 'vitest';
import { TaskFilterSchema } from '@/lib/shared/task-filter';
import type { TaskRecord, TaskState } from '@/lib/shared/task-record';
import { TaskIndex } from '@/lib/state/task-index';
import { TaskStore } from '@/lib/state/task-store';
import { deleteKeysLike, rawRedis, uniqueName } from '@/test/support';
import { revocableMatching } from './revoke-filter';

/** Which executions a revoke by the explorer's filter selects, read through the explorer's own index. */

const redis = rawRedis();
const prefix = `${uniqueName('rvfilter')}:`;
const index = new TaskIndex(redis, prefix);
const store = new TaskStore(redis, prefix, index);

afterAll(async () => {
  await deleteKeysLike(redis, prefix);
  redis.disconnect();
});

function record(id: string, state: TaskState, at: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  const iso = new Date(at).toISOString();
  return { id, task: 'myapp.tasks.add', broker: 'redis', queue: 'q1', priority: 4, state, history: [{ state, at: iso }], updatedAt: iso, ...extra };
}

describe('revocableMatching', () => {
  const base = Date.now() - 60_000;
  const seeded = (async () => {
    const states: TaskState[] = ['active', 'succeeded', 'queued', 'failed', 'retrying', 'revoked', 'active'];
    await Promise.all(states.map((state, i) => store.save(record(`t${i}`, state, base + i * 1000), [])));
    await store.save(record('other', 'active', base, { queue: 'q2', task: 'myapp.tasks.report' }), []);
  })();
  const filter = (query: Record<string, string>) => TaskFilterSchema.parse(query);

  it('selects the matching executions not final yet, newest change first', async () => {
    await seeded;
    expect(await revocableMatching(index, filter({ queue: 'q1' }))).toEqual({ ids: ['t6', 't4', 't2', 't0'], capped: false });
    expect(await revocableMatching(index, filter({ queue: 'q1', state: 'active,failed' }))).toEqual({ ids: ['t6', 't0'], capped: false });
    expect(await revocableMatching(index, filter({ task: 'REPORT' }))).toEqual({ ids: ['other'], capped: false });
    expect(await revocableMatching(index, filter({ state: 'succeeded,failed,revoked,dead' }))).toEqual({ ids: [], capped: false });
  });

  it('stops at its cap and says so; exactly the cap is not capped', async () => {
    await seeded;
    expect(await revocableMatching(index, filter({ queue: 'q1' }), 3)).toEqual({ ids: ['t6', 't4', 't2'], capped: true });
    expect(await revocableMatching(index, filter({ queue: 'q1' }), 4)).toEqual({ ids: ['t6', 't4', 't2', 't0'], capped: false });
  });
});
