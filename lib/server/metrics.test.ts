import { describe, expect, it } from 'vitest';
import { emptyByPriority } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { PROCESS_COUNTERS, countEvent, processCount, type ProcessCounter } from '@/lib/process-counters';
import { WAIT_BUCKET_COUNT, WAIT_BUCKETS_SEC } from '@/lib/shared/wait-times';
import { renderMetrics } from './metrics';
import type { LiveSnapshot } from './sampler';

function queue(name: string, overrides: Partial<Queue> = {}): Queue {
  return {
    broker: 'redis', kind: 'redis', name, depth: 3, byPriority: { ...emptyByPriority(), '0': 2, '9': 1 }, inFlight: 1, consumers: null,
    paused: false, oldestAgeSec: 12.5, oldestAgeSecByPriority: { ...Object.fromEntries(Object.keys(emptyByPriority()).map((p) => [p, null])), '0': 12.5 },
    levels: [0, 3, 6, 9], levelOf: [0, 3, 3, 3, 6, 6, 6, 9, 9, 9], rates: { enqueue: null, dequeue: 0.5 }, details: {}, warnings: [],
    capabilities: { nativePriority: false, nonDestructiveBrowse: true, perPriorityDepth: true, liveDepth: true, consumerCount: false, brokerRates: false, laneGroups: true, standingRules: true },
    ...overrides,
  };
}

const snapshot = (queues: Queue[]): LiveSnapshot => ({
  at: new Date().toISOString(),
  takenAt: Date.now(),
  queues,
  unavailable: [],
  health: { status: 'ok', brokers: [{ id: 'redis', kind: 'redis', ok: true, latencyMs: 1.5 }] },
});

describe('renderMetrics', () => {
  it('writes every priority, leaves unknowns out and escapes label values', () => {
    const text = renderMetrics(snapshot([queue('we"ird\\name\nx')]), [], new Map(), { polls: 7, listeners: 2 });
    expect(text).toContain('triage_queue_depth{broker="redis",queue="we\\"ird\\\\name\\nx",priority="0"} 2');
    expect(text).toContain('triage_queue_depth{broker="redis",queue="we\\"ird\\\\name\\nx",priority="5"} 0');
    expect(text).toContain('triage_queue_dequeue_rate{broker="redis",queue="we\\"ird\\\\name\\nx"} 0.5');
    expect(text).toContain('triage_broker_latency_seconds{broker="redis"} 0.0015');
    expect(text).toContain('triage_sampler_polls_total 7');
    // null = cannot tell: no sample at all rather than a misleading 0.
    expect(text).not.toMatch(/^triage_queue_consumers\{/m);
    expect(text).not.toMatch(/^triage_queue_enqueue_rate\{/m);
    expect(text).not.toMatch(/priority_oldest_age_seconds\{[^}]*priority="3"/);
    // Every family is declared once, HELP before TYPE.
    const types = text.match(/^# TYPE (\S+)/gm)!;
    expect(new Set(types).size).toBe(types.length);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('counts security events by kind, and leaves the family out when the state Redis did not answer', () => {
    const text = renderMetrics(snapshot([]), [], new Map(), { polls: 0, listeners: 0 }, { failed: 2000, denied: 3, login_failed: 0 });
    expect(text).toContain('# TYPE triage_security_events_total counter');
    expect(text).toMatch(/^triage_security_events_total\{kind="failed"\} 2000$/m);
    expect(text).toMatch(/^triage_security_events_total\{kind="login_failed"\} 0$/m);
    expect(renderMetrics(snapshot([]), [], new Map(), { polls: 0, listeners: 0 }, null)).not.toContain('triage_security_events_total');
  });

  it("exports this process's failure counters, 0 before the first", () => {
    const counters = Object.keys(PROCESS_COUNTERS) as ProcessCounter[];
    const before = Object.fromEntries(counters.map((c) => [c, processCount(c)]));
    countEvent('auditWriteFailures');
    countEvent('loginThrottled', 3);
    const text = renderMetrics(snapshot([]), [], new Map(), { polls: 0, listeners: 0 });
    for (const counter of counters) {
      const added = { auditWriteFailures: 1, loginThrottled: 3, unstampedRequests: 0 }[counter];
      expect(text).toContain(`# TYPE ${PROCESS_COUNTERS[counter]} counter`);
      expect(text).toMatch(new RegExp(`^${PROCESS_COUNTERS[counter]} ${before[counter]! + added}$`, 'm'));
    }
  });

  it('exports task waits as a cumulative Prometheus histogram that parses as text format 0.0.4', () => {
    const buckets = new Array<number>(WAIT_BUCKET_COUNT).fill(0);
    buckets[0] = 3; // ≤ 5 ms
    buckets[9] = 2; // (2.5, 5] s
    buckets[WAIT_BUCKET_COUNT - 1] = 1; // beyond the last bound
    const totals = [
      { broker: 'redis', queue: 'emails', priority: 0, buckets, sumSec: 4000.25 },
      { broker: 'redis', queue: 'emails', priority: 9, buckets: buckets.map((n, i) => (i === 0 ? n : 0)), sumSec: 0.006 },
      // A Celery task whose priority Triage never saw.
      { broker: 'redis', queue: 'emails', priority: null, buckets: buckets.map((n, i) => (i === 9 ? n : 0)), sumSec: 7.5 },
    ];
    const text = renderMetrics(snapshot([]), [], new Map(), { polls: 0, listeners: 0 }, null, totals);
    // Every line is a comment or `name{labels} value`, as Prometheus' text parser reads them.
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?(\d+(\.\d+)?(e[+-]?\d+)?|\+Inf|NaN)$/;
    for (const line of text.trimEnd().split('\n')) expect(line.startsWith('# HELP ') || line.startsWith('# TYPE ') || sample.test(line), line).toBe(true);
    expect(text).toMatch(/^# TYPE triage_task_wait_seconds histogram$/m);
    const family = text.split('\n').filter((l) => l.startsWith('triage_task_wait_seconds'));
    const p0 = family.filter((l) => l.includes('priority="0"'));
    // One _bucket per bound and +Inf, then _sum and _count, contiguous per series.
    expect(p0).toHaveLength(WAIT_BUCKETS_SEC.length + 3);
    const les = p0.slice(0, -2).map((l) => /le="([^"]+)"/.exec(l)![1]);
    expect(les).toEqual([...WAIT_BUCKETS_SEC.map(String), '+Inf']);
    const values = p0.slice(0, -2).map((l) => Number(l.split(' ').pop()));
    // Cumulative: non-decreasing, and +Inf equals _count.
    expect(values.every((v, i) => i === 0 || v >= values[i - 1]!)).toBe(true);
    expect(values[0]).toBe(3);
    expect(values[9]).toBe(5);
    expect(values[values.length - 1]).toBe(6);
    expect(p0).toContain('triage_task_wait_seconds_bucket{broker="redis",queue="emails",priority="0",le="+Inf"} 6');
    expect(p0).toContain('triage_task_wait_seconds_sum{broker="redis",queue="emails",priority="0"} 4000.25');
    expect(p0).toContain('triage_task_wait_seconds_count{broker="redis",queue="emails",priority="0"} 6');
    expect(family).toContain('triage_task_wait_seconds_count{broker="redis",queue="emails",priority="9"} 3');
    expect(family).toContain('triage_task_wait_seconds_count{broker="redis",queue="emails",priority="unknown"} 2');
    expect(family).toContain('triage_task_wait_seconds_sum{broker="redis",queue="emails",priority="unknown"} 7.5');
    // Declared once; left out entirely when the state Redis did not answer.
    expect(text.match(/^# TYPE triage_task_wait_seconds /gm)).toHaveLength(1);
    expect(renderMetrics(snapshot([]), [], new Map(), { polls: 0, listeners: 0 }, null, null)).not.toContain('triage_task_wait_seconds');
  });
});
