import { describe, expect, it } from 'vitest';
import { absentAsAnswer, queuePath } from './api';

describe('absentAsAnswer', () => {
  it('asks a queue, task or worker that may be missing for an empty answer', () => {
    expect(absentAsAnswer(queuePath('redis', 'a b'), 'empty')).toBe('/api/v1/queues/redis/a%20b?missing=empty');
    expect(absentAsAnswer('/api/v1/workers/w/tasks', 'empty')).toBe('/api/v1/workers/w/tasks?missing=empty');
  });

  it('asks an operation not started yet for a pending answer', () => {
    expect(absentAsAnswer('/api/v1/operations/op-1', 'pending')).toBe('/api/v1/operations/op-1?pending=1');
  });

  it('adds to a query the path already has', () => {
    expect(absentAsAnswer('/api/v1/x?limit=5', 'empty')).toBe('/api/v1/x?limit=5&missing=empty');
  });
});
