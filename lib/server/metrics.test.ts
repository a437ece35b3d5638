import { describe, expect, it } from 'vitest';
import { emptyByPriority } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { PROCESS_COUNTERS, countEvent, processCount, type ProcessCounter } from '@/lib/process-counters';
import { renderMetrics } from './metrics';
import type { LiveSnapshot } from './sampler';

function queue(name: string, overrides: Partial<Queue> = {}): Queue {
  return {
    broker: 'redis', kind: 'redis', name, depth: 3, byPriority: { ...emptyByPriority(), '0': 2, '9': 1 }, inFlight: 1, consumers: null,
    paused: false, oldestAgeSec: 12.5, oldestAgeSecByPriority: { ...Object.fromEntries(Object.keys(emptyByPriority()).map((p) => [p, null])), '0': 12.5 },
    levels: [0, 3, 6, 9], levelOf: [0, 3, 3, 3, 6, 6, 6, 9, 9, 9], rates: { enqueue: null, dequeue: 0.5 }, details: {}, warnings: [],
    capabilities: { nativePriority: false, nonDestructiveBrowse: true, perPriorityDepth: true, liveDepth: true, consumerCount: false, brokerRates: false, laneGroups: true },
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
});
