import type { ControlProgress } from '../../types';
import { moveBatch, peek } from './envelope';
import { runMoveBatch, type Relocation } from './relocation';

/**
 * Moves every message of `source` to the front of `dest` (a restore: the messages were
 * waiting before whatever arrived while they were parked), each to the list of its
 * priority (the one asked for, else its own), keeping their order.
 *
 * Fronting reverses order batch by batch, so the walk runs backwards: the source's lists
 * from the least urgent to the most (several source lists feeding one target list end up
 * in consumption order), each list from its head (newest) to its tail, through
 * move-batch.lua onto the targets' front. Each batch is atomic. A run killed half-way has
 * fronted the newest messages; running it again fronts the older ones ahead of them, so the
 * order still holds. Each list is read at most as far as it was long at the start.
 */
export async function relocateToFront(run: Relocation): Promise<ControlProgress> {
  const { client, source, dest, priority, batchSize, options } = run;
  const counts: ControlProgress = { scanned: 0, matched: 0, moved: 0 };
  const lists = [...source.lists].reverse();
  const lengths = await Promise.all(lists.map((l) => client.llen(l.key)));
  for (const [i, list] of lists.entries()) {
    let budget = lengths[i]!;
    if (options.dryRun) {
      counts.scanned += budget;
      counts.matched += budget;
      continue;
    }
    while (budget > 0) {
      const want = Math.min(batchSize, budget);
      // LRANGE from the head returns the newest first: the order move-batch.lua takes for the front.
      const items = await client.lrangeBuffer(list.key, 0, want - 1);
      if (items.length === 0) break;
      budget -= items.length;
      const batch = moveBatch(items.map((raw) => peek(raw, source, list)), dest, priority);
      await run.declare();
      counts.moved += await runMoveBatch(client, list.key, batch, 'front');
      counts.scanned += items.length;
      counts.matched += items.length;
      options.onProgress?.({ ...counts });
      if (items.length < want) break;
    }
  }
  if (options.dryRun) options.onProgress?.({ ...counts });
  return counts;
}
