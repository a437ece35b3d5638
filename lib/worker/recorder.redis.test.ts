import { afterAll, describe, expect, it } from 'vitest';
import { EventLog } from '@/lib/state/events';
import { TaskStore, type TaskRecord } from '@/lib/state/task-store';
import { rawRedis, uniqueName } from '@/test/support';
import { TaskRecorder } from './recorder';

const redis = rawRedis();
const prefixes: string[] = [];
const quiet = { warn: () => {} };

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

function fresh(id: string, at: string): TaskRecord {
  return { id, task: 'triage.tasks.noop', broker: 'redis', queue: 'q', priority: 3, state: 'active', history: [{ state: 'active', at }], updatedAt: at };
}

describe('TaskRecorder', () => {
  it('writes a task started and finished in one turn once, with every event in order', async () => {
    const prefix = `${uniqueName('rec')}:`;
    prefixes.push(prefix);
    const recorder = new TaskRecorder(redis, prefix, quiet);
    const at = new Date().toISOString();
    const recording = recorder.open(fresh('t1', at));
    recorder.touch(recording, [{ type: 'task.received' }, { type: 'task.started' }]);
    recording.doc.state = 'succeeded';
    recording.doc.history.push({ state: 'succeeded', at });
    recorder.touch(recording, [{ type: 'task.succeeded' }]);
    await recorder.sent();
    await recorder.drain();
    const stored = await new TaskStore(redis, prefix).get('t1');
    expect(stored?.state).toBe('succeeded');
    expect(stored?.history.map((h) => h.state)).toEqual(['active', 'succeeded']);
    const events = await new EventLog(redis, prefix).read();
    expect(events.map((e) => [e.type, e.taskId, e.queue])).toEqual([
      ['task.received', 't1', 'q'],
      ['task.started', 't1', 'q'],
      ['task.succeeded', 't1', 'q'],
    ]);
  });

  it('keeps the history and fields another writer recorded first', async () => {
    const prefix = `${uniqueName('rec')}:`;
    prefixes.push(prefix);
    const store = new TaskStore(redis, prefix);
    const earlier: TaskRecord = { ...fresh('t2', '2026-01-01T00:00:00.000Z'), state: 'retrying', retries: 1, error: 'boom', history: [{ state: 'queued', at: '2026-01-01T00:00:00.000Z' }, { state: 'retrying', at: '2026-01-01T00:00:01.000Z' }] };
    await store.save(earlier, []);
    const recorder = new TaskRecorder(redis, prefix, quiet);
    const recording = recorder.open(fresh('t2', '2026-01-01T00:00:05.000Z'));
    recorder.touch(recording, [{ type: 'task.started' }]);
    await recorder.drain();
    const stored = await store.get('t2');
    expect(stored?.history.map((h) => h.state)).toEqual(['queued', 'retrying', 'active']);
    expect(stored?.state).toBe('active');
    expect(stored?.retries).toBe(1);
    // A later write of the same execution keeps the merged history.
    recording.doc.state = 'succeeded';
    recording.doc.history.push({ state: 'succeeded', at: '2026-01-01T00:00:06.000Z' });
    recorder.touch(recording, [{ type: 'task.succeeded' }]);
    await recorder.drain();
    expect((await store.get('t2'))?.history.map((h) => h.state)).toEqual(['queued', 'retrying', 'active', 'succeeded']);
  });

  it("takes the level a task is stored under from the latest delivery: a retry at another priority drops the old one", async () => {
    const prefix = `${uniqueName('rec')}:`;
    prefixes.push(prefix);
    const store = new TaskStore(redis, prefix);
    // First run: P7 kept in kombu's 6–8 list.
    await store.save({ ...fresh('t3', '2026-01-01T00:00:00.000Z'), priority: 7, storedWith: [6, 8], state: 'dead' }, []);
    const recorder = new TaskRecorder(redis, prefix, quiet);
    // Retried at P3 onto a list that holds 3 alone: nothing to say about where it is stored.
    recorder.touch(recorder.open(fresh('t3', '2026-01-01T00:00:05.000Z')), [{ type: 'task.started' }]);
    await recorder.drain();
    const stored = await store.get('t3');
    expect(stored?.priority).toBe(3);
    expect(stored?.storedWith).toBeUndefined();
  });

  it('writes the records of one flush together: new ones, one another writer stored first, and a later write', async () => {
    const prefix = `${uniqueName('rec')}:`;
    prefixes.push(prefix);
    const store = new TaskStore(redis, prefix);
    await store.save({ ...fresh('b2', '2026-01-01T00:00:00.000Z'), state: 'retrying', retries: 2, history: [{ state: 'retrying', at: '2026-01-01T00:00:00.000Z' }] }, []);
    const recorder = new TaskRecorder(redis, prefix, quiet);
    const at = '2026-01-01T00:00:05.000Z';
    const later = recorder.open(fresh('b0', at));
    recorder.touch(later, [{ type: 'task.started' }]);
    await recorder.drain();
    // One flush: b0's second write, b1 and b2 first writes (b2 merges what was there).
    later.doc.state = 'succeeded';
    later.doc.history.push({ state: 'succeeded', at });
    recorder.touch(later, [{ type: 'task.succeeded' }]);
    for (const id of ['b1', 'b2']) recorder.touch(recorder.open(fresh(id, at)), [{ type: 'task.started' }]);
    await recorder.drain();
    expect((await store.get('b0'))?.history.map((h) => h.state)).toEqual(['active', 'succeeded']);
    expect((await store.get('b1'))?.history.map((h) => h.state)).toEqual(['active']);
    const merged = await store.get('b2');
    expect(merged?.history.map((h) => h.state)).toEqual(['retrying', 'active']);
    expect(merged?.retries).toBe(2);
    expect(await redis.ttl(`${prefix}task:b1`)).toBeGreaterThan(0);
    const events = await new EventLog(redis, prefix).read();
    expect(events.map((e) => [e.type, e.taskId])).toEqual([
      ['task.started', 'b0'],
      ['task.succeeded', 'b0'],
      ['task.started', 'b1'],
      ['task.started', 'b2'],
    ]);
  });

  it('stores each event with the fields of its record, its worker and its own extras', async () => {
    const prefix = `${uniqueName('rec')}:`;
    prefixes.push(prefix);
    const recorder = new TaskRecorder(redis, prefix, quiet);
    const at = '2026-01-01T00:00:05.000Z';
    const recording = recorder.open(fresh('e1', at));
    recorder.touch(recording, [{ type: 'task.started', worker: 'w1', attempt: 2 }]);
    recording.doc.updatedAt = '2026-01-01T00:00:06.000Z';
    recording.doc.priority = 0;
    recorder.touch(recording, [
      { type: 'task.failed', worker: 'w1', error: 'boom' },
      { type: 'task.retried', worker: 'w2', eta: '2026-01-01T00:01:00.000Z', retries: 1 },
    ]);
    await recorder.drain();
    const events = await new EventLog(redis, prefix).read();
    const common = { taskId: 'e1', task: 'triage.tasks.noop', broker: 'redis', queue: 'q' };
    expect(events.map((event) => ({ ...event, id: undefined }))).toEqual([
      { ...common, type: 'task.started', at, priority: 3, worker: 'w1', attempt: 2 },
      { ...common, type: 'task.failed', at: '2026-01-01T00:00:06.000Z', priority: 0, worker: 'w1', error: 'boom' },
      { ...common, type: 'task.retried', at: '2026-01-01T00:00:06.000Z', priority: 0, worker: 'w2', eta: '2026-01-01T00:01:00.000Z', retries: 1 },
    ]);
  });
});
