import { describeFailure, rebuildFromMeta, type TaskMeta } from '@/lib/celery/result-backend';
import { TriageError } from '@/lib/shared/errors';
import { isPriority } from '@/lib/shared/priority';
import type { TaskRecord } from '@/lib/shared/task-record';
import { runOperation, type ControlContext } from './context';

/**
 * Retry of a failed task Triage did not dead-letter itself (a real Celery worker ran it):
 * Celery keeps no copy of the message, but with `result_extended` its Redis result backend
 * stores the request (`celery-task-meta-<id>`: name, args, kwargs, queue = the delivery's
 * routing key). The task is sent again from that, under the same id, so its result key and
 * Triage's timeline follow the new run. Celery does not store the priority: unless one is
 * asked for, the one Triage last saw the task at is used, else the configured default.
 * Where nothing to resend was kept, the answer says why (NO_MESSAGE_KEPT below).
 */

/** Why a Celery failure cannot be sent again; every reason starts so, for the failures view to tell them apart. */
export const NO_MESSAGE_KEPT = 'no message kept';

const reasons = {
  noBackend: (broker: string) =>
    `${NO_MESSAGE_KEPT}: Celery keeps no copy of a failed task's message, and no result backend is configured for broker ${broker} (set its resultBackendUrl, and result_extended = True on the workers)`,
  noResult: (broker: string) =>
    `${NO_MESSAGE_KEPT}: the result backend of broker ${broker} holds no result for it (expired after result_expires, or the task ignores its result), and Celery keeps no copy of the message`,
  noRequest: (broker: string) =>
    `${NO_MESSAGE_KEPT}: the result backend of broker ${broker} holds the failure but not its request (name, args, kwargs): enable result_extended = True on the workers`,
  noQueue: () => `${NO_MESSAGE_KEPT}: the stored request does not say which queue the task came from`,
};

/** Why the stored result of a FAILURE cannot be sent again, or null when it can. */
function whyNotRebuildable(meta: TaskMeta, broker: string): string | null {
  const rebuilt = rebuildFromMeta(meta);
  if (!rebuilt) return reasons.noRequest(broker);
  return rebuilt.queue ? null : reasons.noQueue();
}

/**
 * Why each of these Celery failures (known from events) cannot be sent again; ids that can
 * be (their request is stored) or whose result is no failure (a later run changed it) are
 * absent. One read per result backend for all of them.
 */
export async function whyNotResendable(
  backends: ControlContext['resultBackends'],
  failures: readonly { id: string; broker: string }[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const byBroker = new Map<string, string[]>();
  for (const { id, broker } of failures) {
    if (!backends?.brokers.includes(broker)) out.set(id, reasons.noBackend(broker));
    else byBroker.set(broker, [...(byBroker.get(broker) ?? []), id]);
  }
  await Promise.all(
    [...byBroker].map(async ([broker, ids]) => {
      const metas = await backends!.readMany(broker, ids);
      ids.forEach((id, i) => {
        const meta = metas[i];
        if (!meta) out.set(id, reasons.noResult(broker));
        else if (meta.status === 'FAILURE') {
          const why = whyNotRebuildable(meta, broker);
          if (why) out.set(id, why);
        }
      });
    }),
  );
  return out;
}

export async function retryFromResultBackend(
  ctx: ControlContext,
  input: { id: string; priority?: number; defaultPriority: number },
  /** What Triage knows of the task (from Celery's events), if anything. */
  seen: TaskRecord | null,
): Promise<{ id: string; broker: string; queue: string; operationId: string } | null> {
  const backends = ctx.resultBackends;
  // The broker the task was seen on first: its backend is the likely one.
  const brokers = backends ? [...backends.brokers].sort((a, b) => Number(b === seen?.broker) - Number(a === seen?.broker)) : [];
  for (const brokerId of brokers) {
    const meta = await backends!.read(brokerId, input.id);
    if (!meta) continue;
    if (meta.status !== 'FAILURE') {
      throw new TriageError('CONFLICT', `task ${input.id} is ${meta.status} in the result backend of broker ${brokerId}; only failed tasks are retried`, {
        status: meta.status,
      });
    }
    const why = whyNotRebuildable(meta, brokerId);
    if (why) throw new TriageError('UNPROCESSABLE', `task ${input.id} cannot be sent again, ${why}`, { error: describeFailure(meta) });
    const rebuilt = rebuildFromMeta(meta)!;
    const queue = rebuilt.queue!;
    const priority = input.priority ?? (isPriority(seen?.priority) ? seen.priority : input.defaultPriority);
    const broker = await ctx.broker(brokerId);
    const result = await runOperation(
      ctx,
      {
        action: 'retry',
        target: { broker: brokerId, queue, task: input.id },
        params: { source: 'result-backend', task: rebuilt.task, priority, ...(input.priority === undefined ? { priorityFrom: seen ? 'last seen' : 'default' } : {}) },
      },
      async () => {
        await broker.enqueue(queue, [
          { priority, spec: { id: input.id, task: rebuilt.task, args: rebuilt.args, kwargs: rebuilt.kwargs, retries: 0 } },
        ]);
        return { retried: 1 };
      },
    );
    return { id: input.id, broker: brokerId, queue, operationId: result.operationId };
  }
  // Known failed from Celery's events only: say why it cannot be sent, rather than "not found".
  if (seen?.state === 'failed') {
    const why = backends?.brokers.includes(seen.broker) ? reasons.noResult(seen.broker) : reasons.noBackend(seen.broker);
    throw new TriageError('UNPROCESSABLE', `task ${input.id} failed on a Celery worker and cannot be sent again, ${why}`);
  }
  return null;
}
