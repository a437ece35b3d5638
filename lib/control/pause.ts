import type { Queue } from '@/lib/shared/types';
import { TriageError, describeError } from '@/lib/shared/errors';
import type { ControlContext } from './context';
import { pauseCeleryConsumers, resumeCeleryConsumers } from './celery-consumers';
import { runOperation } from './context';

/**
 * Pause / resume a queue. Triage workers read the pause state (PauseStore) and stop
 * taking from the queue within a second. Real Celery workers get `cancel_consumer`, and on
 * resume `add_consumer` goes only to those that were consuming the queue
 * (celery-consumers.ts); remote control is fire-and-forget, so a worker offline now misses
 * it and the pause is re-sent when a worker comes online (pause-resend.ts).
 * A lane group pauses all its lanes. Returns the queue with `paused` set.
 */
export async function setPaused(ctx: ControlContext, input: { broker: string; queue: string; paused: boolean }): Promise<Queue> {
  const broker = await ctx.broker(input.broker);
  const queue = await broker.getQueue(input.queue);
  if (!queue) throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(input.queue)} not found on broker ${input.broker}`);
  await runOperation(
    ctx,
    { action: input.paused ? 'pause' : 'resume', target: { broker: input.broker, queue: input.queue }, params: {} },
    async () => {
      const store = ctx.state.pauses;
      const ref = { broker: input.broker, queue: input.queue };
      if (input.paused) await store.pause(input.broker, input.queue, ctx.actor.name);
      // The pause itself holds for Triage workers before any Celery worker is told.
      const resumed = input.paused ? null : await store.resume(input.broker, input.queue);
      let broadcast: string;
      let celeryWorkers: string[] = [];
      try {
        if (resumed) {
          celeryWorkers = await resumeCeleryConsumers(broker.control, resumed.celeryConsumers);
          broadcast = celeryWorkers.length > 0 ? 'sent' : 'no celery worker was consuming it when paused';
        } else {
          const paused = await pauseCeleryConsumers(broker.control, store, ref, await broker.control.memberQueues(input.queue));
          celeryWorkers = paused.hostnames;
          broadcast = paused.reached ? 'sent' : 'no celery workers listening';
        }
      } catch (error) {
        broadcast = `failed: ${describeError(error)}`;
      }
      return { paused: input.paused, celeryBroadcast: broadcast, celeryWorkers };
    },
  );
  return { ...queue, paused: input.paused };
}
