import type { Queue } from '@/lib/shared/types';
import { TriageError, describeError } from '@/lib/shared/errors';
import type { ControlContext } from './context';
import { pauses, runOperation } from './context';

/**
 * Pause / resume a queue. Triage workers read the pause state (PauseStore) and stop
 * taking from the queue within a second; real Celery workers get `cancel_consumer` /
 * `add_consumer` broadcast over Celery's remote control (fire-and-forget: a worker that is
 * offline now misses it, so the state also has to be re-sent when a worker comes online).
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
      const store = pauses(ctx);
      if (input.paused) await store.pause(input.broker, input.queue, ctx.actor.name);
      else await store.resume(input.broker, input.queue);
      const method = input.paused ? 'cancel_consumer' : 'add_consumer';
      let broadcast: string;
      try {
        const members = await broker.control.memberQueues(input.queue);
        const reached = await Promise.all(members.map((member) => broker.control.broadcast(method, { queue: member })));
        broadcast = reached.some(Boolean) ? 'sent' : 'no celery workers listening';
      } catch (error) {
        // The pause itself holds for Triage workers; only the Celery broadcast failed.
        broadcast = `failed: ${describeError(error)}`;
      }
      return { paused: input.paused, celeryBroadcast: broadcast };
    },
  );
  return { ...queue, paused: input.paused };
}
