import { describe, expect, it } from 'vitest';
import { RemoteControl } from './remote-control';

function control(start = 2) {
  let concurrency = start;
  const calls: string[] = [];
  const rc = new RemoteControl({
    queues: ['a', 'b'],
    concurrency: () => concurrency,
    resize: (n) => {
      concurrency = n;
      calls.push(`resize ${n}`);
    },
    nudge: () => calls.push('nudge'),
    addQueue: async (queue) => {
      if (queue === 'missing') throw new Error('queue missing does not exist on broker redis');
      calls.push(`add ${queue}`);
    },
    shutdown: () => calls.push('shutdown'),
  });
  return { rc, calls, size: () => concurrency };
}

describe("Triage worker's remote-control commands", () => {
  it('grows and shrinks the pool, never below one slot', async () => {
    const { rc, size } = control(2);
    expect(await rc.handle('pool_grow', { n: 3 })).toEqual({ ok: 'pool will grow' });
    expect(size()).toBe(5);
    expect(await rc.handle('pool_shrink', {})).toEqual({ ok: 'pool will shrink' });
    expect(size()).toBe(4);
    expect(await rc.handle('pool_shrink', { n: 4 })).toEqual({ error: expect.stringMatching(/at least 1/) });
    expect(size()).toBe(4);
    expect(await rc.handle('pool_grow', { n: 0 })).toEqual({ error: 'n must be a positive integer' });
  });

  it('autoscale keeps the slot count inside [min, max]', async () => {
    const { rc, size } = control(8);
    expect(await rc.handle('autoscale', { max: 4, min: 2 })).toEqual({ ok: 'autoscale now max=4 min=2' });
    expect(size()).toBe(4);
    expect(await rc.handle('autoscale', { max: 10, min: 6 })).toEqual({ ok: 'autoscale now max=10 min=6' });
    expect(size()).toBe(6);
    expect(await rc.handle('autoscale', { max: 2, min: 3 })).toMatchObject({ error: expect.any(String) });
  });

  it('knows rate and time limits only for registered tasks', async () => {
    const { rc } = control();
    expect(await rc.handle('rate_limit', { task_name: 'nope', rate_limit: '1/s' })).toEqual({ error: 'unknown task' });
    expect(await rc.handle('rate_limit', { task_name: 'triage.tasks.sleep', rate_limit: 'lots' })).toMatchObject({ error: expect.stringMatching(/^Invalid rate limit/) });
    expect(await rc.handle('rate_limit', { task_name: 'triage.tasks.sleep', rate_limit: '0' })).toEqual({ ok: 'rate limit disabled successfully' });
    expect(await rc.handle('time_limit', { task_name: 'triage.tasks.sleep', soft: 1, hard: 2 })).toEqual({ ok: 'time limits set successfully' });
    expect(rc.timeLimitsFor('triage.tasks.sleep')).toEqual({ softMs: 1000, hardMs: 2000 });
    await rc.handle('time_limit', { task_name: 'triage.tasks.sleep', soft: null, hard: null });
    expect(rc.timeLimitsFor('triage.tasks.sleep')).toBeUndefined();
  });

  it('cancels and adds back consumers, of other queues of its broker too; shutdown is handed to the worker', async () => {
    const { rc, calls } = control();
    expect(await rc.handle('cancel_consumer', { queue: 'a' })).toEqual({ ok: 'no longer consuming from a' });
    expect(rc.isCancelled('a')).toBe(true);
    expect(rc.consumedQueues()).toEqual(['b']);
    expect(await rc.handle('add_consumer', { queue: 'a' })).toEqual({ ok: 'add consumer a' });
    expect(rc.consumedQueues()).toEqual(['a', 'b']);
    expect(await rc.handle('add_consumer', { queue: 'z' })).toEqual({ ok: 'add consumer z' });
    expect(rc.consumedQueues()).toEqual(['a', 'b', 'z']);
    // Already consumed: the consumer is not asked again.
    expect(await rc.handle('add_consumer', { queue: 'z' })).toEqual({ ok: 'add consumer z' });
    expect(await rc.handle('cancel_consumer', { queue: 'z' })).toEqual({ ok: 'no longer consuming from z' });
    expect(rc.consumedQueues()).toEqual(['a', 'b']);
    expect(await rc.handle('add_consumer', { queue: 'missing' })).toEqual({ error: 'cannot add consumer missing: queue missing does not exist on broker redis' });
    expect(rc.consumedQueues()).toEqual(['a', 'b']);
    expect(await rc.handle('shutdown', {})).toEqual({ ok: 'worker will shut down' });
    expect(calls).toEqual(['nudge', 'nudge', 'add z', 'nudge', 'nudge', 'nudge', 'shutdown']);
    expect(await rc.handle('bogus', {})).toEqual({ error: 'unknown command bogus' });
  });
});
