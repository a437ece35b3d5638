import { describeError } from '@/lib/shared/errors';
import { classifyWait, isHighSlo, sloMatches, sloPriorities, sloScope, worstWaitSec, type Slo, type SloTransition } from '@/lib/shared/slos';
import type { Queue } from '@/lib/shared/types';
import type { SloReading, SloStore } from '@/lib/state/slo-store';

/**
 * Judges every SLO against the brokers' latest queue snapshot every `intervalMs`, in the one
 * process that holds the `slo` leader lease, and records the states in the state Redis, so
 * N replicas and any number of tabs read one set of states and each change is reported once.
 */

export interface SloSnapshot {
  queues: readonly Queue[];
  /** Brokers that did not list their queues: their states are kept as they were, not judged "ok". */
  unavailable: readonly { broker: string }[];
}

export type SloTransitionListener = (transition: SloTransition) => void;

interface EvaluatorLogger {
  warn(obj: object, msg?: string): void;
}

export interface SloEvaluatorOptions {
  store: SloStore;
  /** Evaluates only while this is true (lib/state/leader-lease.ts `holdLeadership`). */
  leadership: { readonly isLeader: boolean };
  /** Every SLO in force: the config file's and the edited ones. */
  definitions: () => Promise<readonly Slo[]>;
  /** Queues at most `maxAgeMs` old (the sampler's snapshot, shared with tabs and scrapes). */
  snapshot: (maxAgeMs: number) => Promise<SloSnapshot>;
  intervalMs: number;
  logger: EvaluatorLogger;
  now?: () => number;
}

/** One reading per SLO and queue it covers; an exact name missing from its (answering) broker reads ok, nothing waits there. */
export function readSlos(slos: readonly Slo[], snapshot: SloSnapshot, now: Date): SloReading[] {
  const down = new Set(snapshot.unavailable.map((u) => u.broker));
  const readings: SloReading[] = [];
  for (const slo of slos) {
    if (down.has(slo.broker)) continue;
    const priorities = sloPriorities(slo);
    const base = { sloId: slo.id, broker: slo.broker, maxWaitSec: slo.maxWaitSec, scope: sloScope(slo), high: isHighSlo(slo), evaluatedAt: now.toISOString() };
    const matched = snapshot.queues.filter((q) => sloMatches(slo, q.broker, q.name));
    if (matched.length === 0 && !slo.queue.includes('*')) readings.push({ ...base, queue: slo.queue, state: 'ok', worstWaitSec: null });
    for (const queue of matched) {
      const worst = worstWaitSec(queue, priorities);
      readings.push({ ...base, queue: queue.name, state: classifyWait(worst, slo.maxWaitSec), worstWaitSec: worst === null ? null : Math.round(worst * 1000) / 1000 });
    }
  }
  return readings;
}

export class SloEvaluator {
  private readonly listeners = new Set<SloTransitionListener>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = true;
  /** Evaluations this process made: the two-replica test counts them. */
  readonly stats = { evaluations: 0, transitions: 0 };

  constructor(private readonly options: SloEvaluatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Called with every change this process records (the leader's): lib/alerts subscribes here. Returns the unsubscribe. */
  onTransition(listener: SloTransitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One evaluation, whether leading or not (tests, and the loop once it knows it leads). */
  async evaluateOnce(): Promise<SloTransition[]> {
    const { store, definitions, snapshot, intervalMs } = this.options;
    const [slos, snap] = await Promise.all([definitions(), snapshot(intervalMs)]);
    const now = new Date(this.now());
    const ids = new Set(slos.map((s) => s.id));
    const down = new Set(snap.unavailable.map((u) => u.broker));
    // States of a broker that did not answer stay as they were; those of removed SLOs go.
    const transitions = await store.apply(readSlos(slos, snap, now), (state) => ids.has(state.sloId) && down.has(state.broker), now);
    this.stats.evaluations++;
    this.stats.transitions += transitions.length;
    for (const transition of transitions) {
      for (const listener of this.listeners) {
        try {
          listener(transition);
        } catch (error) {
          this.options.logger.warn({ err: describeError(error) }, 'SLO transition listener failed');
        }
      }
    }
    return transitions;
  }

  private schedule(): void {
    if (this.stopped) return;
    const { intervalMs } = this.options;
    // On interval boundaries, so a replica taking over keeps the deployment's pace.
    this.timer = setTimeout(() => void this.tick(), intervalMs - (this.now() % intervalMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    if (this.options.leadership.isLeader && !this.running) {
      this.running = true;
      try {
        await this.evaluateOnce();
      } catch (error) {
        this.options.logger.warn({ err: describeError(error) }, 'SLO evaluation failed');
      } finally {
        this.running = false;
      }
    }
    this.schedule();
  }
}
