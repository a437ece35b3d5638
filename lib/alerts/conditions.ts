import type { SloStateRecord } from '@/lib/shared/slos';
import type { Health, Queue, WorkerView } from '@/lib/shared/types';
import type { AlertCondition } from './center';

/**
 * The conditions the alert loop evaluates itself, as pure functions of what the sampler and
 * the worker store already read. Each returns the conditions true now; AlertCenter.sync turns
 * that into one notification when one starts and one resolve when it ends.
 */

/** Workers silent for longer than `thresholdSec` (a worker that stopped cleanly removed itself; one that died stays). */
export function staleWorkerConditions(workers: readonly WorkerView[], thresholdSec: number, now: number): AlertCondition[] {
  return workers.flatMap((worker) => {
    const silentSec = (now - Date.parse(worker.lastHeartbeatAt)) / 1000;
    if (!(silentSec > thresholdSec)) return [];
    return [{
      key: `worker_stale:${worker.id}`,
      kind: 'worker_stale' as const,
      severity: 'warning' as const,
      summary: `Worker ${worker.id} has sent no heartbeat for over ${thresholdSec} s`,
      details: { worker: worker.id, broker: worker.broker, queues: worker.queues, lastHeartbeatAt: worker.lastHeartbeatAt },
      link: '/workers',
    }];
  });
}

/**
 * Breached SLOs, from the states the SLO evaluator keeps in the state Redis (whichever
 * replica evaluates them): one alert per SLO and queue while it stays breached, resolved when
 * it recovers. An SLO of the high band (P0–2) is critical.
 */
export function sloConditions(states: readonly SloStateRecord[]): AlertCondition[] {
  return states
    .filter((s) => s.state === 'breached')
    .map((s) => ({
      key: `slo:${s.sloId}/${s.broker}/${s.queue}`,
      kind: 'slo' as const,
      severity: s.high ? ('critical' as const) : ('warning' as const),
      summary: `SLO ${s.sloId} breached on ${s.broker}/${s.queue} (${s.scope}): waited ${s.worstWaitSec ?? '?'} s, the limit is ${s.maxWaitSec} s`,
      details: { sloId: s.sloId, broker: s.broker, queue: s.queue, scope: s.scope, worstWaitSec: s.worstWaitSec, maxWaitSec: s.maxWaitSec, since: s.since },
      link: `/queues/${encodeURIComponent(s.broker)}/${encodeURIComponent(s.queue)}`,
    }));
}

export function brokerDownConditions(health: Health): AlertCondition[] {
  return health.brokers.flatMap((broker) =>
    broker.ok
      ? []
      : [{
          key: `broker_down:${broker.id}`,
          kind: 'broker_down' as const,
          severity: 'critical' as const,
          summary: `Broker ${broker.id} (${broker.kind}) is down`,
          details: { broker: broker.id, kind: broker.kind, ...(broker.error ? { error: broker.error } : {}), ...(broker.hint ? { hint: broker.hint } : {}) },
          link: '/',
        }],
  );
}

/**
 * Dead-letter queues (`<queue>.dead`) whose depth rose within the last `windowMs`: the alert
 * starts at the first rise and ends once the depth has not risen for a whole window (a dead
 * letter queue that stays at 40 is a known backlog, one that keeps growing is an incident).
 * Depths are kept in this object, so a new leader starts with an empty window.
 */
export class DeadLetterWatch {
  private readonly samples = new Map<string, { at: number; depth: number }[]>();

  constructor(private readonly windowMs: number) {}

  observe(queues: readonly Queue[], now: number): AlertCondition[] {
    const seen = new Set<string>();
    const conditions: AlertCondition[] = [];
    for (const queue of queues) {
      if (!queue.name.endsWith('.dead')) continue;
      const ref = `${queue.broker}/${queue.name}`;
      seen.add(ref);
      const kept = (this.samples.get(ref) ?? []).filter((s) => now - s.at <= this.windowMs);
      kept.push({ at: now, depth: queue.depth });
      this.samples.set(ref, kept);
      const lowest = Math.min(...kept.map((s) => s.depth));
      if (queue.depth <= lowest) continue;
      conditions.push({
        key: `dlq_growing:${ref}`,
        kind: 'dlq_growing',
        severity: 'warning',
        summary: `Dead-letter queue ${queue.name} on ${queue.broker} grew from ${lowest} to ${queue.depth} in the last ${Math.round(this.windowMs / 60_000)} min`,
        details: { broker: queue.broker, queue: queue.name, depth: queue.depth, lowestInWindow: lowest, windowSec: this.windowMs / 1000 },
        link: '/dead-letters',
      });
    }
    // A queue no longer listed (deleted, its broker down) keeps no stale window.
    for (const ref of this.samples.keys()) if (!seen.has(ref)) this.samples.delete(ref);
    return conditions;
  }
}
