import type { GetMessage } from 'amqplib';
import { TriageError } from '@/lib/shared/errors';
import type { Message, MessagePage } from '@/lib/shared/types';
import type { BrowseOptions } from '../types';
import type { ChannelSource } from './connection';
import { matchesBrowseFilter } from '../browse-filter';
import { rabbitMessage } from './message';

/**
 * Reads waiting messages of a RabbitMQ queue in delivery order. RabbitMQ has no peek
 * (celery-wire.md gotcha 9), so this is the least disruptive read there is:
 *
 * 1. on a dedicated channel, `basic.get` (manual ack) the messages before the cursor and
 *    then up to a page, one by one, in the order any consumer would receive them;
 * 2. decode them, apply the filters;
 * 3. close the channel, which requeues them all. RabbitMQ puts requeued messages back at
 *    their original positions, so the order is unchanged, and answers the close only
 *    once the queue has them back. (Not `basic.nack`: RabbitMQ 3.10 took 8 s to requeue
 *    5,000 messages nacked at once, and 16 ms when their channel closed.) Had this
 *    process died instead, the closed connection requeues them the same way: nothing is
 *    ever lost or duplicated by browsing.
 *
 * Side effects callers must show (the page says `requeued: true`): every fetched message
 * comes back with `redelivered = true`, and while it is held (milliseconds for a page; a
 * 5,000-message scan takes well under a second on a local broker) consumers receive the
 * messages behind it instead. It also counts in the queue's deliver/get and redeliver
 * rates.
 *
 * Cost grows with how deep the page is: a call fetches everything before its cursor
 * again. One call never fetches more than MAX_FETCH_PER_CALL messages, so only the first
 * MAX_FETCH_PER_CALL messages in delivery order can be browsed; when a scan reaches that
 * window's end, `nextCursor` is null.
 *
 * The cursor is an opaque offset into the delivery order. Consumers taking messages
 * between two pages shift it, so a page may skip what was consumed meanwhile.
 */

export const MAX_FETCH_PER_CALL = 5000;
const MAX_LIMIT = 500;

export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ v: 1, o: offset })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; o?: unknown };
    const offset = parsed.o;
    if (parsed.v === 1 && typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 && offset < MAX_FETCH_PER_CALL) {
      return offset;
    }
  } catch {
    // fall through
  }
  throw new TriageError('INVALID', 'cursor is not one this server issued', { path: ['cursor'] });
}

export async function browseQueue(
  channels: ChannelSource,
  queue: string,
  maxPriority: number,
  options: BrowseOptions,
): Promise<MessagePage> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > MAX_LIMIT) {
    throw new TriageError('INVALID', `limit must be an integer from 1 to ${MAX_LIMIT}`, { path: ['limit'] });
  }
  const offset = decodeCursor(options.cursor);

  return channels.withChannel(async (channel) => {
    const messages: Message[] = [];
    let fetched = 0;
    let scanned = 0;
    let exhausted = false;
    const next = async (): Promise<GetMessage | null> => {
      const got = await channel.get(queue, { noAck: false });
      if (!got) {
        exhausted = true;
        return null;
      }
      fetched += 1;
      // message_count is what is left after this one: no extra round trip to see the end.
      if (got.fields.messageCount === 0) exhausted = true;
      return got;
    };
    // withChannel closes the channel when this returns or throws: that requeues them.
    while (!exhausted && fetched < offset) await next();
    while (!exhausted && messages.length < options.limit && fetched < MAX_FETCH_PER_CALL) {
      const got = await next();
      if (!got) break;
      scanned += 1;
      const message = rabbitMessage(got, maxPriority);
      if (matchesBrowseFilter(message, options)) messages.push(message);
    }
    const more = !exhausted && fetched < MAX_FETCH_PER_CALL;
    return { messages, nextCursor: more ? encodeCursor(fetched) : null, requeued: true, scanned };
  });
}
