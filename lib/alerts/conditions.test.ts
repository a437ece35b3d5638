import { describe, expect, it } from 'vitest';
import type { Queue } from '@/lib/shared/types';
import type { SloStateRecord } from '@/lib/shared/slos';
import { DeadLetterWatch, brokerDownConditions, sloConditions } from './conditions';

const dead = (depth: number, name = 'celery.dead') => ({ broker: 'redis', name, depth }) as Queue;

describe('DeadLetterWatch', () => {
  it('fires from the first rise and ends once the depth has not risen for a whole window', () => {
    const watch = new DeadLetterWatch(60_000);
    expect(watch.observe([dead(5)], 0)).toEqual([]);
    expect(watch.observe([dead(5)], 10_000)).toEqual([]);
    const rising = watch.observe([dead(8)], 20_000);
    expect(rising.map((c) => c.key)).toEqual(['dlq_growing:redis/celery.dead']);
    expect(rising[0]!.details).toMatchObject({ depth: 8, lowestInWindow: 5 });
    // Still within a window of the rise: still growing.
    expect(watch.observe([dead(8)], 60_000)).toHaveLength(1);
    // The 5 left the window: a steady 8 is a known backlog, not growth.
    expect(watch.observe([dead(8)], 81_000)).toEqual([]);
    // Draining it is not growth either.
    expect(watch.observe([dead(2)], 90_000)).toEqual([]);
  });

  it('watches only parking queues of failed tasks', () => {
    const watch = new DeadLetterWatch(60_000);
    watch.observe([dead(0, 'celery'), dead(0, 'celery.drained')], 0);
    expect(watch.observe([dead(100, 'celery'), dead(100, 'celery.drained')], 1_000)).toEqual([]);
  });
});

describe('brokerDownConditions', () => {
  it('one critical condition per broker down, with why', () => {
    const conditions = brokerDownConditions({ status: 'degraded', brokers: [
      { id: 'redis', kind: 'redis', ok: true, latencyMs: 1 },
      { id: 'rabbitmq', kind: 'rabbitmq', ok: false, latencyMs: null, error: 'ECONNREFUSED 127.0.0.1:5672', hint: 'start RabbitMQ' },
    ] });
    expect(conditions).toEqual([expect.objectContaining({ key: 'broker_down:rabbitmq', severity: 'critical', details: expect.objectContaining({ error: 'ECONNREFUSED 127.0.0.1:5672' }) })]);
  });
});

describe('sloConditions', () => {
  const state = (over: Partial<SloStateRecord>): SloStateRecord => ({
    sloId: 'high-celery', broker: 'redis', queue: 'celery', state: 'ok', since: '2026-12-08T00:00:00.000Z', worstWaitSec: 3,
    maxWaitSec: 30, scope: 'high', high: true, evaluatedAt: '2026-12-08T00:01:00.000Z', ...over,
  });

  it('raises one alert per breached SLO and queue, critical for the high band, linked to the queue', () => {
    const conditions = sloConditions([
      state({ state: 'breached', worstWaitSec: 95 }),
      state({ sloId: 'low-celery', state: 'breached', scope: 'low', high: false, maxWaitSec: 3600, worstWaitSec: 4000 }),
      state({ sloId: 'medium-celery', state: 'at_risk', high: false }),
      state({ queue: 'notifications' }),
    ]);
    expect(conditions.map((c) => [c.key, c.severity])).toEqual([
      ['slo:high-celery/redis/celery', 'critical'],
      ['slo:low-celery/redis/celery', 'warning'],
    ]);
    expect(conditions[0]!.summary).toContain('waited 95 s, the limit is 30 s');
    expect(conditions[0]!.link).toBe('/queues/redis/celery');
  });
});
