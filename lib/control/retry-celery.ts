import { describeFailure, rebuildFromMeta } from '@/lib/celery/result-backend';
import { TriageError } from '@/lib/shared/errors';
import { isPriority } from '@/lib/shared/priority';
import { runOperation, type ControlContext } from './context';

/**
 * Retry of a failed task Triage did not dead-letter itself (a real Celery worker ran it):
 * Celery keeps no copy of the message, but with `result_extended` its Redis result backend
 * stores the request (`celery-task-meta-<id>`: name, args, kwargs, queue = the delivery's
 * routing key). The task is sent again from that, under the same id, so its result key and
 * Triage's timeline follow the new run. Celery does not store the priority: unless one is
 * asked for, the one Triage last saw the task at is used, else the configured default.
 */
export async function retryFromResultBackend(
  ctx: ControlContext,
  input: { id: string; priority?: number; defaultPriority: number },
): Promise<{ id: string; broker: string; queue: string; operationId: string } | null> {
  const backends = ctx.resultBackends;
  if (!backends) return null;
  for (const brokerId of backends.brokers) {
    const meta = await backends.read(brokerId, input.id);
    if (!meta) continue;
    if (meta.status !== 'FAILURE') {
      throw new TriageError('CONFLICT', `task ${input.id} is ${meta.status} in the result backend of broker ${brokerId}; only failed tasks are retried`, {
        status: meta.status,
      });
    }
    const rebuilt = rebuildFromMeta(meta);
    if (!rebuilt) {
      throw new TriageError(
        'UNPROCESSABLE',
        `the result backend of broker ${brokerId} holds the failure of task ${input.id} but not its request (name, args, kwargs): the workers run without result_extended = True, so it cannot be rebuilt`,
        { error: describeFailure(meta) },
      );
    }
    if (!rebuilt.queue) {
      throw new TriageError('UNPROCESSABLE', `the stored request of task ${input.id} does not say which queue it came from, so it cannot be sent back`);
    }
    const queue = rebuilt.queue;
    const seen = await ctx.state.tasks.get(input.id).catch(() => null);
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
  return null;
}
