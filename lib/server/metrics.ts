import type { WaitTotal } from '@/lib/state/wait-times';
import type { WorkerView } from '@/lib/state/worker-store';
import { PRIORITIES } from '@/lib/shared/priority';
import { SLO_STATES, type SloStateRecord } from '@/lib/shared/slos';
import { WAIT_BUCKETS_SEC } from '@/lib/shared/wait-times';
import { PROCESS_COUNTERS, processCount } from '@/lib/process-counters';
import type { LiveSnapshot, Sampler } from './sampler';

/**
 * Prometheus text exposition format 0.0.4, written by hand (no client library): gauges
 * from the sampler's latest snapshot, counters from the task events it has read.
 * Values an adapter cannot tell (null) are left out, never exported as 0.
 */

type Labels = Record<string, string>;

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string, samples: [Labels, number | null][]): void {
    const known = samples.filter((s): s is [Labels, number] => s[1] !== null && Number.isFinite(s[1]));
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of known) this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  /** Cumulative `_bucket{le}` series (+Inf last), then `_sum` and `_count`, per labelled series. */
  histogram(name: string, help: string, bounds: readonly number[], series: { labels: Labels; buckets: readonly number[]; sum: number }[]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const { labels, buckets, sum } of series) {
      let cumulative = 0;
      bounds.forEach((bound, i) => {
        cumulative += buckets[i] ?? 0;
        this.lines.push(`${name}_bucket${formatLabels({ ...labels, le: String(bound) })} ${cumulative}`);
      });
      cumulative += buckets[bounds.length] ?? 0;
      this.lines.push(`${name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${cumulative}`);
      this.lines.push(`${name}_sum${formatLabels(labels)} ${formatValue(sum)}`, `${name}_count${formatLabels(labels)} ${cumulative}`);
    }
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

export interface SamplerStats {
  polls: number;
  listeners: number;
}

export function renderMetrics(
  snapshot: LiveSnapshot,
  workers: WorkerView[] | null,
  outcomes: Sampler['outcomes'],
  stats: SamplerStats,
  /** Security log events per kind (null when the state Redis did not answer: the family is left out). */
  securityEvents: Record<string, number> | null = null,
  /** Every task wait recorded (null when the state Redis did not answer: the family is left out). */
  waitTotals: readonly WaitTotal[] | null = null,
  /** Every SLO's state per queue, all replicas (null when the state Redis did not answer: the families are left out). */
  sloStates: readonly SloStateRecord[] | null = null,
): string {
  const out = new Exposition();
  const q = (queue: { broker: string; name: string }) => ({ broker: queue.broker, queue: queue.name });
  const { queues, health } = snapshot;

  out.family('triage_broker_up', 'gauge', 'Whether the broker answered its health check (1) or not (0).',
    health.brokers.map((b) => [{ broker: b.id, kind: b.kind }, b.ok ? 1 : 0]));
  out.family('triage_broker_latency_seconds', 'gauge', 'Round trip of the broker health check.',
    health.brokers.map((b) => [{ broker: b.id }, b.latencyMs === null ? null : b.latencyMs / 1000]));
  out.family('triage_broker_queues_listed', 'gauge', 'Whether the broker listed its queues in the last snapshot (1) or not (0).',
    health.brokers.map((b) => [{ broker: b.id }, snapshot.unavailable.some((u) => u.broker === b.id) ? 0 : 1]));
  out.family('triage_queue_depth', 'gauge', 'Waiting messages per queue and Triage priority (0 = most urgent).',
    queues.flatMap((queue) => PRIORITIES.map((p): [Labels, number] => [{ ...q(queue), priority: String(p) }, queue.byPriority[String(p)] ?? 0])));
  out.family('triage_queue_messages', 'gauge', 'Waiting messages per queue, all priorities.',
    queues.map((queue) => [q(queue), queue.depth]));
  out.family('triage_queue_oldest_age_seconds', 'gauge', 'Age of the oldest waiting message (when messages carry an enqueue time).',
    queues.map((queue) => [q(queue), queue.oldestAgeSec]));
  out.family('triage_queue_priority_oldest_age_seconds', 'gauge', 'Age of the oldest waiting message per priority (starvation of low bands).',
    queues.flatMap((queue) => PRIORITIES.map((p): [Labels, number | null] => [{ ...q(queue), priority: String(p) }, queue.oldestAgeSecByPriority[String(p)] ?? null])));
  out.family('triage_queue_in_flight', 'gauge', 'Messages reserved by consumers, not yet acknowledged.',
    queues.map((queue) => [q(queue), queue.inFlight]));
  out.family('triage_queue_consumers', 'gauge', 'Consumers of the queue (absent where the broker cannot tell: kombu on Redis).',
    queues.map((queue) => [q(queue), queue.consumers]));
  out.family('triage_queue_paused', 'gauge', 'Whether Triage workers are told not to take from the queue.',
    queues.map((queue) => [q(queue), queue.paused ? 1 : 0]));
  out.family('triage_queue_enqueue_rate', 'gauge', 'Messages arriving per second (Redis: derived by Triage from depth changes and worker events, a lower bound; absent when unknown).',
    queues.map((queue) => [q(queue), queue.rates.enqueue]));
  out.family('triage_queue_dequeue_rate', 'gauge', 'Messages leaving for good per second (RabbitMQ: acked or taken without ack; Redis: derived by Triage, a lower bound; absent when unknown).',
    queues.map((queue) => [q(queue), queue.rates.dequeue]));

  if (workers) {
    const alive = new Map<string, number>();
    const stale = new Map<string, number>();
    for (const w of workers) (w.stale ? stale : alive).set(w.broker, ((w.stale ? stale : alive).get(w.broker) ?? 0) + 1);
    const brokers = health.brokers.map((b) => b.id);
    out.family('triage_workers_alive', 'gauge', 'Triage workers heartbeating on time.', brokers.map((b) => [{ broker: b }, alive.get(b) ?? 0]));
    out.family('triage_workers_stale', 'gauge', 'Triage workers that missed heartbeats (probably dead).', brokers.map((b) => [{ broker: b }, stale.get(b) ?? 0]));
    out.family('triage_worker_tasks_processed_total', 'counter', 'Tasks a worker finished (any outcome), since it started.',
      workers.map((w) => [{ broker: w.broker, worker: w.id }, w.processed]));
    out.family('triage_worker_tasks_failed_total', 'counter', 'Tasks that failed in a worker, since it started.',
      workers.map((w) => [{ broker: w.broker, worker: w.id }, w.failed]));
    out.family('triage_worker_active_tasks', 'gauge', 'Tasks a worker is running now.', workers.map((w) => [{ broker: w.broker, worker: w.id }, w.active]));
  }
  if (waitTotals) {
    out.histogram('triage_task_wait_seconds', "Time tasks waited from enqueue (or from their ETA / retry time) to start, per task priority, from Triage workers and Celery events (priority=\"unknown\": Celery tasks known only from events, which carry no priority).",
      WAIT_BUCKETS_SEC, waitTotals.map((t) => ({ labels: { broker: t.broker, queue: t.queue, priority: t.priority === null ? 'unknown' : String(t.priority) }, buckets: t.buckets, sum: t.sumSec })));
  }
  if (sloStates) {
    const labels = (s: SloStateRecord) => ({ slo: s.sloId, broker: s.broker, queue: s.queue, band: s.scope });
    out.family('triage_slo_state', 'gauge', 'State of a priority SLO on a queue: 0 ok, 1 at risk (worst wait at least 80% of the maximum), 2 breached. Judged once per deployment.',
      sloStates.map((s) => [labels(s), SLO_STATES.indexOf(s.state)]));
    out.family('triage_slo_worst_wait_seconds', 'gauge', "Longest wait at the SLO's priorities: the oldest waiting task or the recent p95 wait, whichever is longer (absent when nothing tells).",
      sloStates.map((s) => [labels(s), s.worstWaitSec]));
    out.family('triage_slo_max_wait_seconds', 'gauge', 'The maximum wait the SLO allows.', sloStates.map((s) => [labels(s), s.maxWaitSec]));
  }
  out.family('triage_task_outcomes_total', 'counter', 'Task outcomes reported by Triage workers since this server process started.',
    [...outcomes.values()].map((o) => [{ broker: o.broker, queue: o.queue, outcome: o.outcome }, o.count]));
  out.family('triage_sampler_polls_total', 'counter', 'Broker reads (listQueues + health on every broker) by this server process: one per tick, whatever the number of open tabs.',
    [[{}, stats.polls]]);
  out.family('triage_sampler_listeners', 'gauge', 'Open live streams (browser tabs) on this server process.', [[{}, stats.listeners]]);
  if (securityEvents) {
    out.family('triage_security_events_total', 'counter', 'Failed operations (failed), refused requests (denied, 403) and failed logins (login_failed) recorded in the security log, all replicas.',
      Object.entries(securityEvents).map(([kind, count]) => [{ kind }, count]));
  }
  out.family(PROCESS_COUNTERS.auditWriteFailures, 'counter', 'Operations that succeeded but whose audit entry could not be written (logged as "audit write failed"), this server process.',
    [[{}, processCount('auditWriteFailures')]]);
  out.family(PROCESS_COUNTERS.unstampedRequests, 'counter', 'Logins whose client address was unknown (no socket address stamped, no trusted X-Forwarded-For), this server process.',
    [[{}, processCount('unstampedRequests')]]);
  out.family(PROCESS_COUNTERS.loginThrottled, 'counter', 'Login attempts refused by the throttle (429), each one, including those not written to the security log, this server process.',
    [[{}, processCount('loginThrottled')]]);
  out.family('triage_snapshot_age_seconds', 'gauge', 'How old the queue numbers in this scrape are.', [[{}, Math.max(0, (Date.now() - snapshot.takenAt) / 1000)]]);
  return out.toString();
}
