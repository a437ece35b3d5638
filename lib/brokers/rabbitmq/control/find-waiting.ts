import { TriageError } from '@/lib/shared/errors';
import { taskPriorityOf, type FindWaitingOptions, type WaitingMatch, type WaitingSearch } from '../../types';
import type { ChannelSource } from '../connection';
import { checkQueue } from '../topology';
import { openQueueReader } from './queue-reader';
import { fromAmqp } from './transfer';

// basic.qos prefetch-count is an AMQP short.
const MAX_PREFETCH = 65_535;
const READ_BATCH = 500;

/**
 * Reads up to `cap` messages from the head with the queue reader and keeps them all unacked;
 * closing the channel puts them back at their positions (marked redelivered), as browsing
 * does. Position 1 is the head, the next message delivered.
 */
export async function findWaitingInQueue(
  connection: ChannelSource,
  brokerId: string,
  queue: string,
  maxPriority: number,
  idPrefix: string,
  options: FindWaitingOptions,
): Promise<WaitingSearch> {
  const start = await checkQueue(connection, queue);
  if (!start) throw new TriageError('NOT_FOUND', `queue ${queue} does not exist on broker ${brokerId}`);
  const budget = Math.min(start.messageCount, options.cap);
  const wanted = idPrefix.toLowerCase();
  const found: WaitingMatch[] = [];
  let scanned = 0;
  let stopped = false;
  await connection.withChannel(async (channel) => {
    const reader = await openQueueReader(channel, queue, {
      budget,
      prefetch: Math.min(budget + 1, MAX_PREFETCH),
      holdLimit: budget + 1,
      readyCount: async () => (await checkQueue(connection, queue))?.messageCount ?? 0,
    });
    for (;;) {
      const got = await reader.read(READ_BATCH);
      if (got.length === 0) break;
      for (const delivery of got) {
        reader.hold();
        scanned += 1;
        const message = fromAmqp(delivery, maxPriority);
        if (message.id === null || !message.id.toLowerCase().startsWith(wanted)) continue;
        found.push({ id: message.id, task: message.task, priority: taskPriorityOf(message), position: scanned });
        if (found.length >= options.limit) stopped = true;
      }
      if (stopped) break;
      // An operation on this queue wants what this read holds.
      if (options.signal?.aborted) {
        stopped = true;
        break;
      }
    }
    await reader.stop();
  });
  return { found, scanned, complete: !stopped && scanned >= start.messageCount };
}
