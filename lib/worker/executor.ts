import { RETRIES_HEADER, type Delivery, type DeadLetterInfo } from '@/lib/brokers/types';
import type { DecodedTask } from '@/lib/shared/celery-codec';
import { describeError } from '@/lib/shared/errors';
import { nowIso } from '@/lib/shared/now-iso';
import { validateTaskArgs } from '@/lib/shared/task-registry';
import type { TaskEventType } from '@/lib/state/events';
import type { TaskRecord, TaskState } from '@/lib/state/task-store';
import { retryDelayMs, type BackoffPolicy } from './backoff';
import type { EventChange, Recording, TaskRecorder } from './recorder';
import type { TimeLimits } from './remote-control';
import type { RevokeGuard } from './revoke-set';
import { maxRetriesFor, registeredTask } from './tasks';

/** What execute needs besides the delivery: who runs it, where it is recorded, how retries back off. */
export interface ExecutorDeps {
  broker: string;
  worker: string;
  recorder: TaskRecorder;
  backoff: BackoffPolicy;
  durationScale: number;
  /** Revoked ids are acked unrun; a terminate stops a running handler. Absent: nothing is revoked. */
  revokes?: RevokeGuard;
  logger: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Soft/hard time limits of a task name (worker control); none by default. */
  timeLimits?: (task: string) => TimeLimits | undefined;
}

/** How execute settled one delivery. */
export type DeliveryOutcome = 'succeeded' | 'retried' | 'dead' | 'deferred' | 'revoked';

// An eta this close counts as reached: a delay queue's rounding must not ping-pong.
const ETA_SLACK_MS = 5;

/**
 * Runs one delivery to completion and settles it exactly once: ack after success, a
 * delayed copy for a retry, a dead-letter copy after the last retry or when the message
 * cannot run at all (unknown task, bad arguments, undecodable, expired). The task call
 * is wrapped in try/catch; a failing settle (broker unreachable) propagates and leaves the
 * message in flight, to be redelivered (at-least-once) rather than lost. Task state and
 * events are observability, written in batches by the TaskRecorder without a round trip
 * per task: if Triage's state Redis fails, the task still runs and is settled, and the
 * missing record is logged.
 */
export async function execute(delivery: Delivery, deps: ExecutorDeps): Promise<DeliveryOutcome> {
  const { decoded } = delivery;
  if (!decoded.ok) {
    await delivery.deadLetter({ reason: 'undecodable', error: decoded.reason, traceback: '' });
    if (decoded.id) record(deps, delivery, { id: decoded.id, task: decoded.taskName ?? 'unknown' }, 'dead', ['task.dead'], { error: decoded.reason });
    deps.logger.warn({ queue: delivery.queue, id: decoded.id, reason: decoded.reason }, 'undecodable message dead-lettered');
    return 'dead';
  }
  const task = decoded.task;
  // Before the eta: a revoked task waiting for its time is dropped now, not deferred again.
  if (deps.revokes?.isRevoked(task.id)) return revoked(delivery, deps, task, null, 'revoked');
  const retries = Math.max(task.retries, numberHeader(task.headers[RETRIES_HEADER]));
  if (task.eta) {
    const eta = Date.parse(task.eta);
    if (Number.isFinite(eta) && eta - Date.now() > ETA_SLACK_MS) {
      await delivery.retry({}, new Date(eta));
      return 'deferred';
    }
  }
  if (task.expires && Date.parse(task.expires) < Date.now()) {
    return dead(delivery, deps, task, { reason: 'expired', error: `expired at ${task.expires}`, traceback: '' }, null);
  }
  const registered = registeredTask(task.task);
  if (!registered) {
    return dead(delivery, deps, task, { reason: 'unknown_task', error: `NotRegistered: ${task.task}`, traceback: '' }, null);
  }
  const invalid = validateTaskArgs(task.task, task.args, task.kwargs);
  if (invalid) return dead(delivery, deps, task, { reason: 'invalid_args', error: `invalid arguments: ${invalid}`, traceback: '' }, null);

  const doc = record(deps, delivery, task, 'active', ['task.received', 'task.started'], { attempt: retries + 1 });
  const scope = deps.revokes?.track(task.id);
  let result: unknown;
  try {
    const running = registered.handler({
      id: task.id,
      args: task.args as unknown[],
      kwargs: (task.kwargs ?? {}) as Record<string, unknown>,
      retries,
      scale: deps.durationScale,
      // A getter: the signal is only made for a handler that reads it (see RevokeScope.signal).
      get signal() {
        return scope?.signal ?? NEVER_ABORTED;
      },
    });
    // A handler abandoned after the grace period or its hard time limit may still reject: nobody awaits it then.
    running.catch(() => {});
    const limits = deps.timeLimits?.(task.task);
    const limited = limits ? withinTimeLimits(running, limits, () => deps.logger.warn({ id: task.id, task: task.task, softMs: limits.softMs }, 'soft time limit exceeded')) : running;
    result = scope ? await Promise.race([limited, scope.stopped]) : await limited;
    if (scope?.aborted) return revoked(delivery, deps, task, doc, 'terminated');
  } catch (error) {
    if (scope?.aborted) return revoked(delivery, deps, task, doc, 'terminated');
    if (error instanceof TimeLimitExceeded) {
      // Like Celery's hard limit: a failure that is not retried.
      return dead(delivery, deps, task, { reason: 'time_limit', error: `TimeLimitExceeded: ${error.message}`, traceback: '' }, doc, true);
    }
    const message = `${error instanceof Error ? error.name : 'Error'}: ${describeError(error)}`;
    const traceback = error instanceof Error && error.stack ? error.stack : message;
    const max = maxRetriesFor(registered, (task.kwargs ?? {}) as Record<string, unknown>);
    if (retries < max) {
      const runAt = new Date(Date.now() + retryDelayMs(retries, deps.backoff));
      await delivery.retry({ retries: retries + 1, [RETRIES_HEADER]: retries + 1, eta: runAt.toISOString() }, runAt);
      record(deps, delivery, task, 'retrying', ['task.failed', 'task.retried'], { error: message, traceback, eta: runAt.toISOString(), retries: retries + 1, prior: doc, failedFirst: true });
      return 'retried';
    }
    return dead(delivery, deps, task, { reason: 'max_retries', error: message, traceback }, doc, true);
  } finally {
    scope?.release();
  }
  // Recorded before the ack: a crash in between re-runs the task (at-least-once) rather
  // than leaving it done but never reported. The ack waits for the record to be on the
  // wire; the Redis adapter lets the slot take its next message meanwhile.
  record(deps, delivery, task, 'succeeded', ['task.succeeded'], { result, prior: doc });
  await delivery.ack(deps.recorder.sent());
  return 'succeeded';
}

export class TimeLimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeLimitExceeded';
  }
}

/**
 * The handler's result, or TimeLimitExceeded once the hard limit passes: the slot is freed and
 * the handler's late outcome ignored (a JavaScript promise cannot be killed). The soft limit
 * only warns: Celery raises SoftTimeLimitExceeded inside the task, which a handler here cannot catch.
 */
async function withinTimeLimits<T>(running: Promise<T>, limits: TimeLimits, onSoft: () => void): Promise<T> {
  const timers: NodeJS.Timeout[] = [];
  try {
    if (limits.softMs) timers.push(setTimeout(onSoft, limits.softMs));
    if (!limits.hardMs) return await running;
    const hardMs = limits.hardMs;
    return await Promise.race([
      running,
      new Promise<never>((_, reject) => timers.push(setTimeout(() => reject(new TimeLimitExceeded(`hard time limit (${hardMs / 1000} s) exceeded`)), hardMs))),
    ]);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

const NEVER_ABORTED = new AbortController().signal;

/** Acked, never redelivered: a revoked task does not run again (Celery acks it too). */
async function revoked(delivery: Delivery, deps: ExecutorDeps, task: DecodedTask, prior: Recording | null, how: 'revoked' | 'terminated'): Promise<DeliveryOutcome> {
  record(deps, delivery, task, 'revoked', ['task.revoked'], { prior, error: how === 'terminated' ? 'TaskRevokedError: terminated' : undefined, reason: how });
  await delivery.ack(deps.recorder.sent());
  deps.logger.info({ queue: delivery.queue, id: task.id, task: task.task, how }, 'task revoked');
  return 'revoked';
}

async function dead(
  delivery: Delivery,
  deps: ExecutorDeps,
  task: DecodedTask,
  info: DeadLetterInfo,
  prior: Recording | null,
  failedFirst = false,
): Promise<DeliveryOutcome> {
  await delivery.deadLetter(info);
  record(deps, delivery, task, 'dead', failedFirst ? ['task.failed', 'task.dead'] : ['task.dead'], {
    error: info.error,
    traceback: info.traceback,
    reason: info.reason,
    prior,
    failedFirst,
  });
  deps.logger.warn({ queue: delivery.queue, id: task.id, task: task.task, reason: info.reason, error: info.error }, 'task dead-lettered');
  return 'dead';
}

interface RecordExtra {
  error?: string;
  traceback?: string;
  result?: unknown;
  eta?: string;
  retries?: number;
  attempt?: number;
  reason?: string;
  prior?: Recording | null;
  failedFirst?: boolean;
}

function record(
  deps: ExecutorDeps,
  delivery: Delivery,
  task: Pick<DecodedTask, 'id' | 'task'> & Partial<Pick<DecodedTask, 'args' | 'kwargs' | 'eta' | 'origin' | 'enqueuedAt'>>,
  state: TaskState,
  events: TaskEventType[],
  extra: RecordExtra,
): Recording {
  const at = nowIso();
  const recording =
    extra.prior ??
    deps.recorder.open({ id: task.id, task: task.task, broker: deps.broker, queue: delivery.queue, priority: delivery.priority, state, history: [], updatedAt: at });
  const { doc } = recording;
  doc.broker = deps.broker;
  doc.queue = delivery.queue;
  // The task's own priority; the level it was stored under only when that differs.
  doc.priority = delivery.priority;
  if (delivery.priority !== delivery.level) doc.storedWith = delivery.levelRange;
  else delete doc.storedWith;
  doc.state = state;
  doc.updatedAt = at;
  // The task page shows what was sent; the message itself is gone once acknowledged.
  if (task.args !== undefined) {
    doc.args = task.args;
    doc.kwargs = task.kwargs;
    doc.eta = task.eta;
    doc.origin = task.origin;
    doc.enqueuedAt = task.enqueuedAt;
  }
  if (extra.failedFirst) doc.history.push({ state: 'failed', at, worker: deps.worker, error: extra.error });
  // Built field by field, not with spreads: this runs for every task (a worker hot spot).
  const entry: TaskRecord['history'][number] = { state, at, worker: deps.worker };
  if (extra.error && (state === 'dead' || !extra.failedFirst)) entry.error = extra.error;
  if (extra.eta) entry.eta = extra.eta;
  if (extra.attempt) entry.attempt = extra.attempt;
  doc.history.push(entry);
  if (state === 'succeeded') {
    doc.result = extra.result ?? null;
    delete doc.error;
    delete doc.traceback;
  }
  if (extra.error) doc.error = extra.error;
  if (extra.traceback) doc.traceback = extra.traceback;
  if (extra.retries !== undefined) doc.retries = extra.retries;
  const changes: EventChange[] = [];
  for (const type of events) {
    const event: EventChange = { type, worker: deps.worker };
    if (type === 'task.failed' || type === 'task.dead') event.error = extra.error;
    if ((type === 'task.dead' || type === 'task.revoked') && extra.reason) event.reason = extra.reason;
    if (type === 'task.retried') {
      event.eta = extra.eta;
      event.retries = extra.retries;
    }
    if (type === 'task.started' && extra.attempt) event.attempt = extra.attempt;
    changes.push(event);
  }
  deps.recorder.touch(recording, changes);
  return recording;
}

function numberHeader(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
