import { DEAD_HEADERS, DEAD_SUFFIX, RETRIES_HEADER, isDeadQueue, taskPriorityOf, type MessageSelector, type QueueBroker, type TransferMessage } from '@/lib/brokers/types';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';
import { deadQueueName } from '@/lib/shared/parking';
import { isPriority } from '@/lib/shared/priority';
import type { ControlContext } from './context';
import { assertIdsPresent, runOperation } from './context';
import { retryFromResultBackend } from './retry-celery';
import { selectionParams, selectorOf, type Match } from './schemas';

/**
 * Dead letters (written by the worker): `<queue>.dead` on both brokers. A dead message is
 * the original Celery message plus the headers below. Retrying strips them, resets
 * `retries` to 0 and enqueues it back to `triage_original_queue` on the same broker, at
 * `triage_original_priority` or the priority asked for.
 */
/** Every header the worker adds when it dead-letters a message (lib/brokers/types.ts). */
const DEAD_HEADER_NAMES: readonly string[] = Object.values(DEAD_HEADERS);

interface Revived {
  queue: string;
  priority: number;
  message: TransferMessage;
}

/** The message as it goes back to work: dead-letter headers gone, retries 0. */
export function revive(message: TransferMessage, deadQueue: string, priority: number | undefined): Revived {
  if (!message.celery) {
    throw new TriageError('UNPROCESSABLE', `dead message ${message.id ?? '(no id)'} cannot be decoded, so it cannot be retried`);
  }
  const headers = { ...message.celery.headers };
  const originalQueue = headers[DEAD_HEADERS.originalQueue];
  const original = typeof originalQueue === 'string' && originalQueue ? originalQueue : null;
  const originalPriority = Number(headers[DEAD_HEADERS.originalPriority]);
  for (const key of DEAD_HEADER_NAMES) delete headers[key];
  // Both counts: a worker takes the larger, so a stale triage_retries would spend the new run's retries.
  delete headers[RETRIES_HEADER];
  headers.retries = 0;
  const queue = original ?? (isDeadQueue(deadQueue) ? deadQueue.slice(0, -DEAD_SUFFIX.length) : null);
  if (!queue) throw new TriageError('UNPROCESSABLE', `message ${message.id ?? '(no id)'} does not say which queue it came from`);
  return {
    queue,
    // The task's own priority, never the level the dead-letter queue stored it under.
    priority: priority ?? (isPriority(originalPriority) ? originalPriority : taskPriorityOf(message)),
    // No origin: the message changed, so it is written afresh rather than byte-copied.
    message: { ...message, celery: { ...message.celery, headers }, origin: null },
  };
}

async function retryFrom(broker: QueueBroker, deadQueue: string, selector: MessageSelector, priority: number | undefined, progress?: (p: { scanned: number; matched: number; moved: number }) => void) {
  return broker.control.extract(
    deadQueue,
    selector,
    {
      // Enqueued (confirmed) before the dead copy is removed: at-least-once.
      write: async (batch) => {
        const byQueue = new Map<string, Revived[]>();
        for (const message of batch) {
          const revived = revive(message, deadQueue, priority);
          byQueue.set(revived.queue, [...(byQueue.get(revived.queue) ?? []), revived]);
        }
        for (const [queue, items] of byQueue) await broker.control.putMessages(queue, items);
      },
    },
    { onProgress: progress },
  );
}

/** Retries the selected (or all) dead messages of one dead-letter queue. */
export async function retryDead(
  ctx: ControlContext,
  input: { broker: string; queue: string; ids?: string[]; match?: Match; priority?: number },
): Promise<{ matched: number; retried: number; operationId: string }> {
  const broker = await ctx.broker(input.broker);
  const selector = selectorOf(input);
  return runOperation(
    ctx,
    {
      action: 'retry',
      target: { broker: input.broker, queue: input.queue },
      params: { ...selectionParams(input), ...(input.priority !== undefined ? { priority: input.priority } : {}) },
      locks: [{ broker: input.broker, queue: input.queue }],
    },
    async (progress) => {
      await assertIdsPresent(broker, input.queue, selector);
      const result = await retryFrom(broker, input.queue, selector, input.priority, progress);
      return { matched: result.matched, retried: result.moved };
    },
  );
}

/**
 * Retries one task by id: looks for it in every dead-letter queue of every broker (the
 * first that holds it wins; a duplicate there is retried along with it), then in the
 * Celery result backends (a failure a real Celery worker stored; see retry-celery.ts).
 * The dead-letter queue the task's record points at is looked at first: a queue listing
 * may be a few seconds old and miss a dead-letter queue the task itself just created.
 */
export async function retryTask(
  ctx: ControlContext,
  input: { id: string; priority?: number; defaultPriority: number },
): Promise<{ id: string; broker: string; queue: string; operationId: string }> {
  // Only a hint: without the record (expired, or the state Redis down) every queue is still searched.
  const record = await ctx.state.tasks.get(input.id).catch(() => null);
  const likely = record ? { broker: record.broker, queue: deadQueueName(record.queue) } : undefined;
  for (const brokerId of ctx.brokerIds) {
    const broker = await ctx.broker(brokerId);
    let queues: string[];
    try {
      queues = (await broker.listQueues()).map((q) => q.name).filter(isDeadQueue);
    } catch (error) {
      if (isTriageError(error) && error.code === 'UNAVAILABLE') continue;
      throw error;
    }
    if (likely?.broker === brokerId && isDeadQueue(likely.queue)) {
      queues = [likely.queue, ...queues.filter((q) => q !== likely.queue)];
    }
    for (const queue of queues) {
      const found = await broker.control.extract(queue, { ids: [input.id] }, null, { dryRun: true }).catch((error: unknown) => {
        if (isTriageError(error) && (error.code === 'NOT_FOUND' || error.code === 'UNAVAILABLE')) return null;
        throw new TriageError('UNAVAILABLE', describeError(error));
      });
      if (!found || found.matched === 0) continue;
      const result = await runOperation(
        ctx,
        {
          action: 'retry',
          target: { broker: brokerId, queue, task: input.id },
          params: input.priority !== undefined ? { priority: input.priority } : {},
        },
        async () => {
          const done = await retryFrom(broker, queue, { ids: [input.id] }, input.priority);
          if (done.moved === 0) throw new TriageError('NOT_FOUND', `task ${input.id} left ${queue} before it could be retried`);
          return { retried: done.moved };
        },
      );
      return { id: input.id, broker: brokerId, queue, operationId: result.operationId };
    }
  }
  const fromBackend = await retryFromResultBackend(ctx, input, record);
  if (fromBackend) return fromBackend;
  throw new TriageError(
    'NOT_FOUND',
    `task ${input.id} is not in any dead-letter queue${ctx.resultBackends ? ' nor in a configured Celery result backend' : ' (and no Celery result backend is configured)'}`,
  );
}
