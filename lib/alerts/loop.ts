import { holdLeadership, type LeaderLease } from '@/lib/state/leader-lease';
import type { Health, Queue, WorkerView } from '@/lib/shared/types';
import type { AlertCenter } from './center';
import { DeadLetterWatch, brokerDownConditions, sloConditions, staleWorkerConditions } from './conditions';
import type { SloStateRecord } from '@/lib/shared/slos';

/**
 * The alert loop: evaluates the conditions Triage watches itself (stale workers, brokers
 * down, growing dead-letter queues) and works the delivery outbox, in one process of the
 * deployment only, the holder of the `alerts` leader lease. Other replicas keep contending
 * and take over within the lease's ttl when the holder dies; the outbox and the active
 * alerts are in the state Redis, so the new leader resumes pending deliveries and does not
 * notify again for a condition that is already active.
 */

export interface AlertLoopOptions {
  center: AlertCenter;
  lease: LeaderLease;
  /** The latest broker health and queue listing (the sampler's snapshot); null when there is none yet. */
  readSnapshot: () => Promise<{ health: Health; queues: Queue[] } | null>;
  readWorkers: () => Promise<WorkerView[]>;
  /** The SLO states the SLO evaluator keeps (in any replica); absent: no SLO alerts. */
  readSloStates?: () => Promise<SloStateRecord[]>;
  workerStaleSec?: number;
  dlqWindowMs?: number;
  evaluateEveryMs?: number;
  deliverEveryMs?: number;
  now?: () => number;
  onError?: (error: unknown, where: string) => void;
}

export const DEFAULT_WORKER_STALE_SEC = 60;
export const DEFAULT_DLQ_WINDOW_MS = 5 * 60_000;
/** Matches the sampler's history pace: conditions cannot change faster than its snapshots. */
export const DEFAULT_EVALUATE_EVERY_MS = 10_000;
/** A new notification leaves within a second; retries wait for their own due time. */
export const DEFAULT_DELIVER_EVERY_MS = 1_000;

export interface AlertLoop {
  readonly isLeader: boolean;
  /** One evaluation now (tests, and the first tick after taking the lease). */
  evaluate(): Promise<void>;
  stop(): Promise<void>;
}

export function startAlertLoop(options: AlertLoopOptions): AlertLoop {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => undefined);
  const staleSec = options.workerStaleSec ?? DEFAULT_WORKER_STALE_SEC;
  const dlq = new DeadLetterWatch(options.dlqWindowMs ?? DEFAULT_DLQ_WINDOW_MS);
  const leadership = holdLeadership(options.lease, { onError: (error) => onError(error, 'leader lease') });
  let evaluating = false;
  let delivering = false;

  const evaluate = async () => {
    const [snapshot, workers] = await Promise.all([options.readSnapshot(), options.readWorkers()]);
    const at = now();
    await options.center.sync(['worker_stale'], staleWorkerConditions(workers, staleSec, at));
    if (options.readSloStates) await options.center.sync(['slo'], sloConditions(await options.readSloStates()));
    // Without a snapshot nothing is known about brokers or queues: leave their alerts as they are.
    if (!snapshot) return;
    await options.center.sync(['broker_down'], brokerDownConditions(snapshot.health));
    await options.center.sync(['dlq_growing'], dlq.observe(snapshot.queues, at));
  };

  const guarded = (flag: 'evaluate' | 'deliver', work: () => Promise<unknown>) => () => {
    if (!leadership.isLeader) return;
    if (flag === 'evaluate' ? evaluating : delivering) return;
    if (flag === 'evaluate') evaluating = true;
    else delivering = true;
    work()
      .catch((error: unknown) => onError(error, flag))
      .finally(() => {
        if (flag === 'evaluate') evaluating = false;
        else delivering = false;
      });
  };

  const evaluateTimer = setInterval(guarded('evaluate', evaluate), options.evaluateEveryMs ?? DEFAULT_EVALUATE_EVERY_MS);
  const deliverTimer = setInterval(guarded('deliver', () => options.center.deliverDue()), options.deliverEveryMs ?? DEFAULT_DELIVER_EVERY_MS);
  evaluateTimer.unref();
  deliverTimer.unref();

  return {
    get isLeader() {
      return leadership.isLeader;
    },
    evaluate,
    async stop() {
      clearInterval(evaluateTimer);
      clearInterval(deliverTimer);
      await leadership.stop();
    },
  };
}
