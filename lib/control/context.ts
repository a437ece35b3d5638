import type { ControlProgress, ControlResult, MessageSelector, QueueBroker } from '@/lib/brokers/types';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';
import type { Logger } from '@/lib/logger';
import { countEvent } from '@/lib/process-counters';
import type { TriageState } from '@/lib/state/triage-state';
import { readTaskMeta, readTaskMetas, type ResultBackendClient, type TaskMeta } from '@/lib/celery/result-backend';
import { runPreview, stopPreviews } from './previews';

/**
 * What every control operation needs, without HTTP: the brokers, Triage's state and who is
 * acting. Routes build it from the server runtime (`controlContext`).
 */
export interface ControlContext {
  broker(id: string): Promise<QueueBroker>;
  /** Every configured broker's id, in configuration order. */
  brokerIds: readonly string[];
  /** Triage's own state: audit and security logs, operation records, pauses, archives, tasks. */
  state: TriageState;
  actor: { name: string; role: string };
  /** Client-chosen id of the operation record, for polling progress. */
  operationId?: string;
  /** Brokers with a Celery result backend, and a reader of `celery-task-meta-<id>` there. */
  resultBackends?: {
    brokers: string[];
    read(broker: string, id: string): Promise<TaskMeta | null>;
    /** Several at once, in their order (one round trip). */
    readMany(broker: string, ids: readonly string[]): Promise<(TaskMeta | null)[]>;
  };
  /** Where an audit entry that could not be written is reported (the server's log). */
  logger?: Pick<Logger, 'error'>;
}

export function controlContext(
  runtime: {
    brokers: ReadonlyMap<string, unknown>;
    state: TriageState;
    resultBackends?: ReadonlyMap<string, ResultBackendClient>;
    logger?: Pick<Logger, 'error'>;
  },
  broker: (id: string) => Promise<QueueBroker>,
  actor: { name: string; role: string } | null,
  operationId?: string,
): ControlContext {
  return {
    broker,
    brokerIds: [...runtime.brokers.keys()],
    state: runtime.state,
    actor: actor ? { name: actor.name, role: actor.role } : { name: 'system', role: 'admin' },
    ...(operationId ? { operationId } : {}),
    ...(runtime.logger ? { logger: runtime.logger } : {}),
    ...(runtime.resultBackends && runtime.resultBackends.size > 0 ? { resultBackends: resultBackendReader(runtime.resultBackends) } : {}),
  };
}

function resultBackendReader(clients: ReadonlyMap<string, ResultBackendClient>): NonNullable<ControlContext['resultBackends']> {
  return {
    brokers: [...clients.keys()],
    async read(broker, id) {
      const client = clients.get(broker);
      if (!client) return null;
      try {
        return await readTaskMeta(client, id);
      } catch (error) {
        throw new TriageError('UNAVAILABLE', `the result backend of broker ${broker} is unreachable: ${describeError(error)}`);
      }
    },
    async readMany(broker, ids) {
      const client = clients.get(broker);
      if (!client) return ids.map(() => null);
      try {
        return await readTaskMetas(client, ids);
      } catch (error) {
        throw new TriageError('UNAVAILABLE', `the result backend of broker ${broker} is unreachable: ${describeError(error)}`);
      }
    },
  };
}

export interface OperationSpec {
  action: string;
  target: { broker: string; queue?: string; task?: string };
  params: Record<string, unknown>;
  /** Queues this operation changes: held exclusively while it runs (409 if busy). */
  locks?: { broker: string; queue: string }[];
  /**
   * A dry run. Not audited: it changes nothing, and a dialog re-counts on every edit, so
   * auditing them buried the real operation under copies of its preview. It gets a signal
   * that a later preview or operation on the same queue aborts (previews.ts).
   */
  preview?: boolean;
}

/** What one audited action is: recorded in the audit log on success, the security log on failure. */
export interface AuditedAction {
  action: string;
  target: { broker?: string; queue?: string; task?: string; user?: string; token?: string };
  params: Record<string, unknown>;
}

/**
 * Runs `work` and records it: its result counts in the audit log when it succeeds; its error
 * in the security log when it fails (capped apart, so failures never trim the audit log), then
 * rethrows. A log that cannot be written never changes the caller's outcome: after work that
 * succeeded (tasks already sent) an error would make the client retry and repeat it, so a
 * missing audit entry is logged in full and counted (`triage_audit_write_failures_total`).
 */
export async function audited<T>(
  ctx: Pick<ControlContext, 'state' | 'actor' | 'logger'>,
  spec: AuditedAction,
  work: () => Promise<T>,
  summary: (value: T) => Record<string, unknown>,
): Promise<T> {
  const entry = { actor: ctx.actor.name, role: ctx.actor.role, action: spec.action, target: spec.target, params: spec.params };
  let value: T;
  try {
    value = await work();
  } catch (error) {
    const failure = { code: isTriageError(error) ? error.code : 'INTERNAL', message: describeError(error) };
    await ctx.state.securityLog
      .record({ ...entry, kind: 'failed', result: { error: failure } })
      .catch(() => {});
    throw error;
  }
  const record = { ...entry, result: summary(value) };
  await ctx.state.audit
    .append(record)
    .catch((error: unknown) => {
      countEvent('auditWriteFailures');
      ctx.logger?.error({ err: describeError(error), entry: record }, 'audit write failed');
    });
  return value;
}

/**
 * Runs one control operation: a pollable operation record with progress, and (unless it is
 * a preview) an audit entry with its result counts, or in the security log its error,
 * whatever happens. The result gains `operationId`. An operation stops the previews running
 * on the queues it locks before it starts, so none of them holds messages out of its sight.
 */
export async function runOperation<R extends Record<string, unknown>>(
  ctx: ControlContext,
  spec: OperationSpec,
  work: (progress: (p: ControlProgress) => void, signal: AbortSignal | undefined, operationId: string) => Promise<R>,
): Promise<R & { operationId: string }> {
  const tracker = await ctx.state.operations.start({ id: ctx.operationId, action: spec.action, target: spec.target, actor: ctx.actor.name });
  const releases: (() => Promise<void>)[] = [];
  const run = async (): Promise<R> => {
    for (const lock of spec.locks ?? []) {
      const release = await ctx.state.lockQueue(lock.broker, lock.queue, tracker.id);
      if (!release) throw await busyQueue(ctx, lock);
      releases.push(release);
    }
    const progress = (p: ControlProgress) => tracker.progress(p);
    if (spec.preview && spec.target.queue !== undefined) {
      return runPreview({ broker: spec.target.broker, queue: spec.target.queue }, (signal) => work(progress, signal, tracker.id));
    }
    await Promise.all((spec.locks ?? []).map(stopPreviews));
    return work(progress, undefined, tracker.id);
  };
  try {
    // The entry names its operation: undo finds what the operation moved by that id.
    const result = spec.preview ? await run() : await audited(ctx, spec, run, (r) => ({ ...r, operationId: tracker.id }));
    await tracker.finish(result, null);
    return { ...result, operationId: tracker.id };
  } catch (error) {
    await tracker.finish(null, { code: isTriageError(error) ? error.code : 'INTERNAL', message: describeError(error) });
    throw error;
  } finally {
    await Promise.all(releases.map((release) => release().catch(() => {})));
  }
}

/**
 * The 409 for a queue another operation holds, naming it (what, by whom, on which process)
 * and when its lock lapses: a lock whose process died is not renewed and lapses then.
 */
async function busyQueue(ctx: ControlContext, lock: { broker: string; queue: string }): Promise<TriageError> {
  const where = `${lock.broker}/${lock.queue}`;
  const held = await ctx.state.queueLockHolder(lock.broker, lock.queue).catch(() => null);
  const record = held ? await ctx.state.operations.get(held.operationId).catch(() => null) : null;
  if (!held) return new TriageError('CONFLICT', `another control operation is running on ${where}; try again when it has finished`);
  const lapsesInSec = Math.ceil(held.lapsesInMs / 1000);
  const what = record ? `${record.action} ${record.id} by ${record.actor}${record.holder ? ` on ${record.holder}` : ''}` : `operation ${held.operationId}`;
  const state = record?.status === 'interrupted' ? 'was interrupted' : 'is running';
  return new TriageError(
    'CONFLICT',
    `another control operation holds ${where}: ${what} ${state}; its lock lapses in ${lapsesInSec} s unless that process renews it — try again then`,
    { holder: { operationId: held.operationId, ...(record ? { action: record.action, actor: record.actor, holder: record.holder ?? null, status: record.status } : {}) }, lapsesInMs: held.lapsesInMs },
  );
}

/**
 * With an id selector, every id must be waiting in the queue before anything changes:
 * an unknown id is a 404 naming the missing ones, and the queue is left as it was.
 */
export async function assertIdsPresent(broker: QueueBroker, queue: string, selector: MessageSelector): Promise<void> {
  if (!selector.ids) return;
  const found: ControlResult = await broker.control.extract(queue, { ids: selector.ids }, null, { dryRun: true });
  const present = new Set(found.foundIds ?? []);
  const unknown = selector.ids.filter((id) => !present.has(id));
  if (unknown.length > 0) {
    throw new TriageError('NOT_FOUND', `${unknown.length} of the given ids are not waiting in queue ${queue}; nothing was changed`, {
      path: ['ids'],
      unknown: unknown.slice(0, 100),
    });
  }
}

/** What a dry run's answer adds to `{matched, moved}`: counted from statistics, or stopped early (at least `matched`). */
export function previewFlags(result: ControlResult): { estimate?: true; partial?: true } {
  return { ...(result.estimate ? { estimate: true as const } : {}), ...(result.partial ? { partial: true as const } : {}) };
}
