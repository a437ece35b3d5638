import { describe, expect, it } from 'vitest';
import type { TaskRecord } from './task-record';
import { summarizeTask } from './task-summary';

const base: TaskRecord = { id: 't1', task: 'myapp.tasks.add', broker: 'redis', queue: 'celery', priority: 3, state: 'active', history: [], updatedAt: '2026-12-07T12:00:05.000Z' };

describe('a task record as an explorer row', () => {
  it("Triage's worker: wait from the envelope's enqueue time, runtime of the last attempt", () => {
    const record: TaskRecord = {
      ...base,
      state: 'succeeded',
      enqueuedAt: '2026-12-07T12:00:00.000Z',
      retries: 1,
      history: [
        { state: 'active', at: '2026-12-07T12:00:01.000Z', worker: 'w1', attempt: 1 },
        { state: 'failed', at: '2026-12-07T12:00:01.500Z', worker: 'w1', error: 'Boom' },
        { state: 'retrying', at: '2026-12-07T12:00:01.500Z', worker: 'w1', eta: '2026-12-07T12:00:03.000Z' },
        { state: 'active', at: '2026-12-07T12:00:03.000Z', worker: 'w2', attempt: 2 },
        { state: 'succeeded', at: '2026-12-07T12:00:03.250Z', worker: 'w2' },
      ],
      error: 'stale error',
      updatedAt: '2026-12-07T12:00:03.250Z',
    };
    expect(summarizeTask(record)).toEqual({
      id: 't1',
      task: 'myapp.tasks.add',
      state: 'succeeded',
      broker: 'redis',
      queue: 'celery',
      priority: 3,
      worker: 'w2',
      receivedAt: '2026-12-07T12:00:01.000Z',
      startedAt: '2026-12-07T12:00:03.000Z',
      finishedAt: '2026-12-07T12:00:03.250Z',
      waitMs: 1000,
      runtimeMs: 250,
      retries: 1,
      error: null,
      eta: null,
      updatedAt: '2026-12-07T12:00:03.250Z',
    });
  });

  it('maps record states onto the explorer states', () => {
    const at = '2026-12-07T12:00:00.000Z';
    expect(summarizeTask({ ...base, state: 'queued', updatedAt: at }).state).toBe('received');
    expect(summarizeTask({ ...base, state: 'queued', eta: '2026-12-07T12:05:00Z', updatedAt: at }).state).toBe('scheduled');
    expect(summarizeTask({ ...base, state: 'queued', eta: '2026-12-07T11:59:00Z', updatedAt: at }).state).toBe('received');
    expect(summarizeTask({ ...base, state: 'retrying' }).state).toBe('retrying');
    expect(summarizeTask({ ...base, state: 'dead' }).state).toBe('dead');
    expect(summarizeTask({ ...base, state: 'revoked' as TaskRecord['state'] }).state).toBe('revoked');
  });

  it("Celery's events: sent → received → failed, no priority known", () => {
    const row = summarizeTask({
      ...base,
      priority: null as unknown as number,
      state: 'failed',
      history: [
        { state: 'queued', at: '2026-12-07T12:00:00.000Z' },
        { state: 'queued', at: '2026-12-07T12:00:00.100Z', worker: 'celery@h' },
        { state: 'active', at: '2026-12-07T12:00:00.300Z', worker: 'celery@h' },
        { state: 'failed', at: '2026-12-07T12:00:00.400Z', worker: 'celery@h', error: 'x' },
      ],
      error: `ValueError: ${'y'.repeat(400)}\nTraceback…`,
      updatedAt: '2026-12-07T12:00:00.400Z',
    });
    expect(row).toMatchObject({ priority: null, receivedAt: '2026-12-07T12:00:00.100Z', waitMs: 300, runtimeMs: 100, finishedAt: '2026-12-07T12:00:00.400Z' });
    expect(row.error).toHaveLength(300);
    expect(row.error!.startsWith('ValueError: yyy')).toBe(true);
  });

  it('while running: no finish, no runtime; without an enqueue time, no wait', () => {
    const row = summarizeTask({ ...base, history: [{ state: 'active', at: '2026-12-07T12:00:01.000Z', worker: 'w1' }] });
    expect(row).toMatchObject({ state: 'active', startedAt: '2026-12-07T12:00:01.000Z', finishedAt: null, runtimeMs: null, waitMs: null });
  });
});
