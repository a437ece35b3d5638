import type { Redis } from 'ioredis';
import { TriageError } from '@/lib/shared/errors';
import type { Message, MessagePage } from '@/lib/shared/types';
import { isFiltering, matchesBrowseFilter } from '../browse-filter';
import type { BrowseOptions } from '../types';
import type { QueueLayout } from './layout';
import { redisMessage } from './message';

/**
 * Reads waiting messages in the order a strict-priority consumer pops them: list after
 * list in the layout's order, each from its tail (the next to pop) towards its head.
 * Read-only (LRANGE), so the queue stays byte-identical.
 *
 * The cursor is a position (list index, offset from the tail). Workers popping while an
 * operator pages shift offsets, so a page may skip what was consumed meanwhile; that is
 * the honest view of a moving queue.
 */

/** A filtered page stops after scanning this many messages and hands back a cursor. */
export const MAX_SCAN_PER_PAGE = 5000;
const FILTER_BATCH = 500;

interface Position {
  list: number;
  offset: number;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify({ v: 1, l: position.list, o: position.offset })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Position {
  if (!cursor) return { list: 0, offset: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: number; l?: unknown; o?: unknown };
    // Safe integers only: 1e300 is an integer to JavaScript, but not an index to LRANGE.
    if (parsed.v === 1 && isIndex(parsed.l) && isIndex(parsed.o)) {
      return { list: parsed.l as number, offset: parsed.o as number };
    }
  } catch {
    // fall through
  }
  throw new TriageError('INVALID', 'cursor is not one this server issued', { path: ['cursor'] });
}

function isIndex(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

export async function browseLayout(client: Redis, layout: QueueLayout, options: BrowseOptions): Promise<MessagePage> {
  const position = decodeCursor(options.cursor);
  const filtering = isFiltering(options);
  const messages: Message[] = [];
  let scanned = 0;

  // The priority filter is on each task's own priority, which any list may hold (kombu < 5.4
  // restores onto step 0), so no list is skipped.
  while (position.list < layout.lists.length && messages.length < options.limit && scanned < MAX_SCAN_PER_PAGE) {
    const list = layout.lists[position.list]!;
    const batch = filtering ? Math.min(FILTER_BATCH, MAX_SCAN_PER_PAGE - scanned) : options.limit - messages.length;
    // Negative indexes count from the tail; LRANGE returns head→tail, so reverse it.
    const items = (await client.lrangeBuffer(list.key, -(position.offset + batch), -(position.offset + 1))).reverse();
    let consumed = 0;
    for (const item of items) {
      if (messages.length >= options.limit) break;
      consumed += 1;
      const message = redisMessage(item, layout, list);
      if (matchesBrowseFilter(message, options)) messages.push(message);
    }
    scanned += consumed;
    position.offset += consumed;
    // A short read that was fully consumed means this list has nothing further.
    if (items.length < batch && consumed === items.length) {
      position.list += 1;
      position.offset = 0;
    }
  }
  const done = position.list >= layout.lists.length;
  return { messages, nextCursor: done ? null : encodeCursor(position), scanned };
}
