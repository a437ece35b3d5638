import { describe, expect, it } from 'vitest';
import type { Queue } from '@/lib/shared/types';
import { brokerDriver } from '@/lib/brokers/registry';
import { diagnose, fromReplies } from './diagnostics';

// Reply shapes as Celery 5.2.6 sends them (trimmed).
function stats(concurrency: number, prefetch: number, transport: Record<string, unknown> = {}) {
  return { pid: 42, uptime: 5, total: { 'probe.work': 3 }, pool: { 'max-concurrency': concurrency }, prefetch_count: prefetch, broker: { transport_options: transport } };
}
// Each kind's own checks come from its driver, as the server passes them.
const rulesOf = (kind: string) => brokerDriver(kind).celeryRules;
const queueRef = (name: string) => ({ name, exchange: { name, type: 'direct' }, routing_key: name });

function queue(name: string, extra: Partial<Queue> = {}): Queue {
  return { name, broker: 'b', kind: 'redis', levels: [0, 3, 6, 9], details: { steps: [0, 3, 6, 9], sep: '\\x06\\x16' }, warnings: [], ...extra } as Queue;
}

const lanes = queue('lanes', {
  lanes: [
    { queue: 'high', priorities: [0, 2], depth: 0 },
    { queue: 'low', priorities: [3, 9], depth: 0 },
  ],
});

function reply(hostname: string, s: unknown, conf: unknown, queues: string[]) {
  return fromReplies([new Map([[hostname, s]]), new Map([[hostname, conf]]), new Map([[hostname, queues.map(queueRef)]])]);
}

describe('diagnose', () => {
  it('a well-configured worker gets no warning, and its pool and prefetch are read from stats', () => {
    const result = diagnose(rulesOf('redis'), reply('w@h', stats(2, 2, { queue_order_strategy: 'priority' }), { task_acks_late: true }, ['celery']), [queue('celery')]);
    expect(result.workers).toEqual([{ hostname: 'w@h', pid: 42, concurrency: 2, prefetch: 2, queues: ['celery'], processed: 3, uptimeSec: 5, warnings: [] }]);
    expect(result.queueWarnings.size).toBe(0);
  });

  it('prefetch and early acks only matter on a prioritized queue', () => {
    const reports = reply('w@h', stats(1, 4), {}, ['plain', 'celery']);
    const result = diagnose(rulesOf('redis'), reports, [queue('celery'), queue('plain', { levels: [0], details: { steps: [0, 3, 6, 9], sep: '\\x06\\x16' } })]);
    expect(result.queueWarnings.get('celery')).toHaveLength(2);
    expect(result.queueWarnings.get('plain')).toBeUndefined();
    expect(result.workers[0]!.warnings).toEqual(result.queueWarnings.get('celery'));
  });

  it('unlimited prefetch (0) is flagged', () => {
    const result = diagnose(rulesOf('rabbitmq'), reply('w@h', stats(1, 0), { task_acks_late: true }, ['celery']), [queue('celery', { kind: 'rabbitmq' })]);
    expect(result.workers[0]!.warnings).toEqual([expect.stringContaining('reserves an unlimited number of tasks')]);
  });

  it('without a conf reply (disabled: an error reply), acks are not judged, steps come from stats', () => {
    const reports = reply('w@h', stats(1, 1, { priority_steps: [0, 5], sep: ':' }), { error: "KeyError('conf')" }, ['celery']);
    expect(reports[0]!.conf).toBeNull();
    const warnings = diagnose(rulesOf('redis'), reports, [queue('celery')]).workers[0]!.warnings;
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/did not answer the remote-control command conf/);
    expect(warnings[1]).toMatch(/uses priority_steps \[0, 5\] but celery is configured with \[0, 3, 6, 9\]/);
    expect(warnings[2]).toMatch(/uses sep ":" but celery is configured with "\\x06\\x16"/);
  });

  it('several lanes of one group in one worker: round-robin, wrong order, RabbitMQ; strict only with the priority strategy in lane order', () => {
    const conf = { task_acks_late: true };
    const run = (kind: 'redis' | 'rabbitmq', transport: Record<string, unknown>, consumed: string[]) =>
      diagnose(rulesOf(kind), reply('w@h', stats(1, 1, transport), conf, consumed), [lanes]).queueWarnings.get('lanes') ?? [];
    expect(run('redis', {}, ['high', 'low'])).toEqual([expect.stringMatching(/consumes lanes high, low of lane group lanes in one worker: it polls them round-robin/)]);
    expect(run('redis', { queue_order_strategy: 'priority' }, ['low', 'high'])).toEqual([expect.stringMatching(/in the order low, high, not the lane order/)]);
    expect(run('redis', { queue_order_strategy: 'priority' }, ['high', 'low'])).toEqual([]);
    expect(run('rabbitmq', { queue_order_strategy: 'priority' }, ['high', 'low'])).toEqual([expect.stringMatching(/RabbitMQ delivers from each consumed queue independently/)]);
    expect(run('redis', {}, ['high'])).toEqual([]);
  });
});
