import type { Redis } from 'ioredis';
import type { FindWaitingOptions, WaitingMatch, WaitingSearch } from '../../types';
import type { QueueLayout } from '../layout';
import { peek } from './envelope';

// One LRANGE per this many messages: big enough to keep round trips few, small enough that
// a reply never holds Redis up for long.
const READ_BATCH = 1000;

/**
 * Reads the layout's lists in consumption order (each from its tail), LRANGE only, so the
 * queue stays byte-identical. Positions count from the next message a worker pops; workers
 * popping meanwhile shift them.
 */
export async function findWaitingInLayout(client: Redis, layout: QueueLayout, idPrefix: string, options: FindWaitingOptions): Promise<WaitingSearch> {
  const wanted = idPrefix.toLowerCase();
  const found: WaitingMatch[] = [];
  let scanned = 0;
  for (const list of layout.lists) {
    for (let offset = 0; ; offset += READ_BATCH) {
      const want = Math.min(READ_BATCH, options.cap - scanned);
      if (want <= 0 || options.signal?.aborted) return { found, scanned, complete: false };
      // Negative indexes count from the tail; LRANGE returns head→tail, so reverse it.
      const items = (await client.lrangeBuffer(list.key, -(offset + want), -(offset + 1))).reverse();
      for (const raw of items) {
        scanned += 1;
        const { id, task, priority } = peek(raw, layout, list);
        if (id === null || !id.toLowerCase().startsWith(wanted)) continue;
        found.push({ id, task, priority, position: scanned });
        if (found.length >= options.limit) return { found, scanned, complete: false };
      }
      if (items.length < want) break;
    }
  }
  return { found, scanned, complete: true };
}
