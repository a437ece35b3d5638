import { describe, expect, it } from 'vitest';
import { parseWorkerSettings } from './settings';

describe('parseWorkerSettings', () => {
  it('reads flags, falling back to the environment', () => {
    const s = parseWorkerSettings(['--broker', 'redis', '--queues', 'a, b,c', '--concurrency=4'], { TRIAGE_TASK_DURATION_SCALE: '0' });
    expect(s).toMatchObject({ broker: 'redis', queues: ['a', 'b', 'c'], concurrency: 4, durationScale: 0 });
    const e = parseWorkerSettings([], { TRIAGE_WORKER_BROKER: 'rabbitmq', TRIAGE_WORKER_QUEUES: 'celery', TRIAGE_WORKER_CONCURRENCY: '2' });
    expect(e).toMatchObject({ broker: 'rabbitmq', queues: ['celery'], concurrency: 2, durationScale: 1 });
  });
  it('refuses missing or unknown settings', () => {
    expect(() => parseWorkerSettings(['--queues', 'a'], {})).toThrow(/broker/);
    expect(() => parseWorkerSettings(['--broker', 'redis'], {})).toThrow(/queues/);
    expect(() => parseWorkerSettings(['--broker', 'redis', '--queues', 'a', '--prefetch', '4'], {})).toThrow(/unknown option/);
    expect(() => parseWorkerSettings(['--broker', 'redis', '--queues', 'a', '--concurrency', '0'], {})).toThrow(/concurrency/);
  });
});
