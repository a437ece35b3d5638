import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseWorkerSettings } from './settings';

describe('parseWorkerSettings', () => {
  it('reads flags, falling back to the environment', () => {
    const s = parseWorkerSettings(['--broker', 'redis', '--queues', 'a, b,c', '--concurrency=4'], { TRIAGE_TASK_DURATION_SCALE: '0' });
    expect(s).toMatchObject({ broker: 'redis', queues: ['a', 'b', 'c'], concurrency: 4, durationScale: 0 });
    const e = parseWorkerSettings([], { TRIAGE_WORKER_BROKER: 'rabbitmq', TRIAGE_WORKER_QUEUES: 'celery', TRIAGE_WORKER_CONCURRENCY: '2' });
    expect(e).toMatchObject({ broker: 'rabbitmq', queues: ['celery'], concurrency: 2, durationScale: 1 });
  });
  it('names the worker triage@<host>:<pid> unless --name or TRIAGE_WORKER_NAME says otherwise', () => {
    const base = ['--broker', 'redis', '--queues', 'a'];
    expect(parseWorkerSettings(base, {}).name).toBe(`triage@${hostname()}:${process.pid}`);
    expect(parseWorkerSettings(base, { TRIAGE_WORKER_NAME: 'billing@box' }).name).toBe('billing@box');
    expect(parseWorkerSettings([...base, '--name', 'emails-1'], { TRIAGE_WORKER_NAME: 'billing@box' }).name).toBe('emails-1');
    // Celery's %h (host name) and %p (pid) placeholders work in a chosen name too.
    expect(parseWorkerSettings([...base, '--name=reports@%h:%p'], {}).name).toBe(`reports@${hostname()}:${process.pid}`);
    expect(() => parseWorkerSettings([...base, '--name', ''], {})).toThrow(/name/);
  });
  it('refuses missing or unknown settings', () => {
    expect(() => parseWorkerSettings(['--queues', 'a'], {})).toThrow(/broker/);
    expect(() => parseWorkerSettings(['--broker', 'redis'], {})).toThrow(/queues/);
    expect(() => parseWorkerSettings(['--broker', 'redis', '--queues', 'a', '--prefetch', '4'], {})).toThrow(/unknown option/);
    expect(() => parseWorkerSettings(['--broker', 'redis', '--queues', 'a', '--concurrency', '0'], {})).toThrow(/concurrency/);
  });
});
