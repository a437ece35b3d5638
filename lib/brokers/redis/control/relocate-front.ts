import type { Redis } from 'ioredis';
import type { ControlOptions, ControlProgress } from '../../types';
import type { QueueLayout } from '../layout';
import { scripts } from '../scripts';
import { moveBatch, peek } from './envelope';

/**
 * Moves every message of `source` to the front of `dest` (a restore: the messages were
 * waiting before whatever arrived while they were parked), each to the list of its
 * priority (the one asked for, else its own), keeping their order.
 *
 * Fronting reverses order batch by batch, so the walk runs backwards: the source's lists
 * from the least urgent to the most (several source lists feeding one target list end up
 * in consumption order), each list from its head (newest) to its tail, through
 * move-front.lua. Each batch is atomic. A run killed half-way has fronted the newest
 * messages; running it again fronts the older ones ahead of them, so the order still holds.
 * Each list is read at most as far as it was long at the start.
 */
export async function relocateToFront(
  client: Redis,
  source: QueueLayout,
  dest: QueueLayout,
  priority: number | null,
  batchSize: number,
  options: ControlOptions,
  declare: () => Promise<void>,
): Promise<ControlProgress> {
  const counts: ControlProgress = { scanned: 0, matched: 0, moved: 0 };
  const lists = [...source.lists].reverse();
  const lengths = await Promise.all(lists.map((l) => client.llen(l.key)));
  const run = scripts(client)['move-front'];
  let declared = false;
  for (const [i, list] of lists.entries()) {
    let budget = lengths[i]!;
    if (options.dryRun) {
      counts.scanned += budget;
      counts.matched += budget;
      continue;
    }
    while (budget > 0) {
      const want = Math.min(batchSize, budget);
      // LRANGE from the head returns the newest first: the order move-front.lua takes.
      const items = await client.lrangeBuffer(list.key, 0, want - 1);
      if (items.length === 0) break;
      budget -= items.length;
      const { targets, args } = moveBatch(items.map((raw) => peek(raw, source, list)), dest, priority);
      if (!declared) {
        await declare();
        declared = true;
      }
      counts.moved += Number(await run([list.key, ...targets], args));
      counts.scanned += items.length;
      counts.matched += items.length;
      options.onProgress?.({ ...counts });
      if (items.length < want) break;
    }
  }
  if (options.dryRun) options.onProgress?.({ ...counts });
  return counts;
}
