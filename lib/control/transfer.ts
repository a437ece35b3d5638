import { taskPriorityOf, type ControlOptions, type ControlResult, type InsertAt, type MessageSelector, type QueueBroker, type TargetOptions } from '@/lib/brokers/types';
import { TriageError } from '@/lib/shared/errors';

/**
 * Moves the selection of `from.queue` to `to.queue`, on the same broker (the adapter's
 * atomic or confirmed relocation) or across brokers (read a batch from the source, enqueue
 * it on the target with confirms, then remove it from the source: at-least-once, so a
 * crash can duplicate but never lose). `priority` null keeps each task's own priority
 * (Message.taskPriority), whatever the layouts of the two queues.
 *
 * `at: 'front'` (a restore) puts the messages ahead of what the target holds, in their
 * order, where the target's broker can (ControlCapabilities.frontInsert) and the move stays
 * on one broker; otherwise they are appended.
 */
export async function transfer(
  from: { broker: QueueBroker; queue: string },
  to: { broker: QueueBroker; queue: string },
  selector: MessageSelector,
  priority: number | null,
  options: ControlOptions & { target?: TargetOptions; at?: InsertAt } = {},
): Promise<ControlResult> {
  if (from.broker.id === to.broker.id && from.queue === to.queue) {
    throw new TriageError('CONFLICT', `source and target are the same queue (${from.broker.id}/${from.queue})`);
  }
  // Check the source before creating anything: a bad request must change nothing.
  if (!(await from.broker.getQueue(from.queue))) {
    throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(from.queue)} not found on broker ${from.broker.id}`);
  }
  await to.broker.control.prepareTarget(to.queue, options.target);
  if (from.broker.id === to.broker.id) {
    const at = options.at === 'front' && to.broker.control.capabilities.frontInsert ? 'front' : 'back';
    return from.broker.control.relocate(from.queue, selector, { queue: to.queue, priority, at }, options);
  }
  const target = to.broker.control;
  return from.broker.control.extract(
    from.queue,
    selector,
    {
      write: async (batch) => {
        await target.putMessages(
          to.queue,
          batch.map((message) => ({ message, priority: priority ?? taskPriorityOf(message) })),
        );
      },
    },
    options,
  );
}
