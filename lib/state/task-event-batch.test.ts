import { describe, expect, it } from 'vitest';
import { decodeTaskEventGroups, encodeTaskEventGroups, type TaskEventGroup } from './task-event-batch';

const shared = { taskId: 't1', task: 'triage.tasks.noop', broker: 'redis', queue: 'emails', priority: 2 };

describe('task event groups', () => {
  it('round-trips every event of every group in order, with the group fields and its own extras', () => {
    const groups: TaskEventGroup[] = [
      {
        ...shared,
        worker: 'w1',
        events: [
          { type: 'task.received', at: '2026-01-01T00:00:00.000Z', extras: null },
          { type: 'task.started', at: '2026-01-01T00:00:00.001Z', extras: { attempt: 2 } },
        ],
      },
      { ...shared, taskId: 't2', priority: 0, worker: null, events: [{ type: 'task.dead', at: '2026-01-01T00:00:01.000Z', extras: { error: 'boom', reason: 'max_retries' } }] },
    ];
    expect(decodeTaskEventGroups(encodeTaskEventGroups(groups))).toEqual([
      { type: 'task.received', at: '2026-01-01T00:00:00.000Z', broker: 'redis', queue: 'emails', taskId: 't1', task: 'triage.tasks.noop', priority: 2, worker: 'w1' },
      { type: 'task.started', at: '2026-01-01T00:00:00.001Z', broker: 'redis', queue: 'emails', taskId: 't1', task: 'triage.tasks.noop', priority: 2, worker: 'w1', attempt: 2 },
      { type: 'task.dead', at: '2026-01-01T00:00:01.000Z', broker: 'redis', queue: 'emails', taskId: 't2', task: 'triage.tasks.noop', priority: 0, error: 'boom', reason: 'max_retries' },
    ]);
  });

  it('writes what the events of a group share once', () => {
    const events = Array.from({ length: 3 }, (_, i) => ({ type: 'task.started' as const, at: `2026-01-01T00:00:0${i}.000Z`, extras: null }));
    const text = encodeTaskEventGroups([{ ...shared, worker: 'w1', events }]);
    expect(text.split('triage.tasks.noop')).toHaveLength(2);
    expect(text.split('task.started')).toHaveLength(4);
  });

  it('skips malformed groups and events, keeping the well-formed ones', () => {
    const text = JSON.stringify([
      'not a group',
      ['t1', 'triage.tasks.noop', 'redis', 'q'],
      ['t2', 'triage.tasks.noop', 'redis', 'q', 'high', null, ['task.started', 'x']],
      ['t3', 'triage.tasks.noop', 'redis', 'q', 1, null, ['task.started'], [5, 'x'], ['task.succeeded', '2026-01-01T00:00:00.000Z']],
    ]);
    expect(decodeTaskEventGroups(text).map((e) => [e.taskId, e.type])).toEqual([['t3', 'task.succeeded']]);
    expect(decodeTaskEventGroups('{"a":1}')).toEqual([]);
  });
});
