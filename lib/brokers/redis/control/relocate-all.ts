import type { Redis } from 'ioredis';
import { PRIORITIES } from '@/lib/shared/priority';
import type { ControlOptions, ControlProgress } from '../../types';
import { targetList, type PhysicalList, type QueueLayout } from '../layout';
import { scripts } from '../scripts';
import { peek, peekedPayload } from './envelope';

/**
 * Relocation of every message in some lists (no id or task filter). All messages of one
 * list go to the same target list, so there is nothing to select in Node: move-tail.lua
 * takes them from the tail and rewrites their envelopes on the server, and only counts
 * come back (the per-message path reads every payload and sends it twice).
 *
 * The guarantees are the per-batch ones of redis-control.ts: each call is atomic (a
 * message is in the source or the target, never both or neither), oldest first, FIFO kept;
 * each list is taken at most as far as it was long at the start; a consumer popping
 * meanwhile wins. An envelope the script will not edit as text stops it; those are moved
 * here by exact bytes (move-batch.lua) with the Node rewrite, then the script resumes.
 */
export async function relocateAll(
  client: Redis,
  lists: readonly PhysicalList[],
  dest: QueueLayout,
  priority: number | null,
  batchSize: number,
  options: ControlOptions,
  declare: () => Promise<void>,
): Promise<ControlProgress> {
  const counts: ControlProgress = { scanned: 0, matched: 0, moved: 0 };
  const lengths = await Promise.all(lists.map((l) => client.llen(l.key)));
  let declared = false;
  for (const [i, list] of lists.entries()) {
    const budget = lengths[i]!;
    if (budget === 0) continue;
    const level = priority ?? list.level;
    const to = targetList(dest, level);
    if (to.key === list.key || options.dryRun) {
      // Every message is selected; none would change list (or nothing changes at all).
      counts.scanned += budget;
      counts.matched += budget;
      options.onProgress?.({ ...counts });
      continue;
    }
    if (!declared) {
      await declare();
      declared = true;
    }
    await moveList(client, list, dest, to, level, budget, batchSize, counts, options);
  }
  return counts;
}

/**
 * Script calls kept in flight on the connection, so Redis starts the next batch while this
 * process reads the last reply. A call queued behind one that stopped at a hard envelope
 * finds it at the tail and stops at once, so order holds.
 */
const IN_FLIGHT = 2;

/** Moves up to `budget` messages of one list to `to`, in script batches and Node fallbacks. */
async function moveList(
  client: Redis,
  list: PhysicalList,
  dest: QueueLayout,
  to: PhysicalList,
  level: number,
  budget: number,
  batchSize: number,
  counts: ControlProgress,
  options: ControlOptions,
): Promise<void> {
  const run = scripts(client)['move-tail'];
  const args = [to.queue, JSON.stringify(to.queue), JSON.stringify(level), keepMask(dest, to)];
  const inFlight: { want: number; reply: Promise<[number, number]> }[] = [];
  // Budget not yet handed to a call; a call gives back what it did not take.
  let unassigned = budget;
  // Emptied (by consumers), or stopped at a hard envelope that Node must move first.
  let dry = false;
  let stalled = false;
  // Hard envelopes in a row are read in growing windows: a list full of them is not one round trip each.
  let window = 1;
  let movedSinceNode = 0;
  try {
    while (inFlight.length > 0 || (!dry && unassigned > 0)) {
      while (!dry && !stalled && unassigned > 0 && inFlight.length < IN_FLIGHT) {
        const want = Math.min(batchSize, unassigned);
        unassigned -= want;
        inFlight.push({ want, reply: run([list.key, to.key], [want, ...args]) as Promise<[number, number]> });
      }
      const { want, reply } = inFlight.shift()!;
      const [moved, hard] = await reply;
      unassigned += want - moved;
      movedSinceNode += moved;
      counts.moved += moved;
      counts.scanned += moved;
      counts.matched += moved;
      // Replies come in call order: the last one tells what is at the tail now.
      stalled = hard === 1;
      // Fewer than asked and not stopped by a hard envelope: consumers emptied the list.
      if (!stalled && moved < want) dry = true;
      if (stalled && inFlight.length === 0 && !dry && unassigned > 0) {
        // The last call ran after every other one: its hard envelope is still at the tail.
        window = movedSinceNode > 0 ? 1 : Math.min(window * 2, batchSize);
        movedSinceNode = 0;
        const read = await moveInNode(client, list, dest, to, level, Math.min(window, unassigned), counts);
        unassigned -= read;
        counts.scanned += read;
        counts.matched += read;
        if (read === 0) dry = true;
        stalled = false;
      }
      options.onProgress?.({ ...counts });
    }
  } finally {
    // After an error, no reply is left unhandled.
    await Promise.allSettled(inFlight.map((call) => call.reply));
  }
}

/** Per kombu effective priority 0..9: '1' where it already maps to `to` (the message keeps its own). */
function keepMask(dest: QueueLayout, to: PhysicalList): string {
  let mask = '';
  for (const p of PRIORITIES) mask += targetList(dest, p).key === to.key ? '1' : '0';
  return mask;
}

/** Moves up to `count` messages from the tail by exact bytes with the Node rewrite; returns how many it read. */
async function moveInNode(
  client: Redis,
  list: PhysicalList,
  dest: QueueLayout,
  to: PhysicalList,
  level: number,
  count: number,
  counts: ControlProgress,
): Promise<number> {
  const items = (await client.lrangeBuffer(list.key, -count, -1)).reverse();
  if (items.length === 0) return 0;
  const args: (Buffer | string | number)[] = [];
  for (const raw of items) args.push(raw, 2, peekedPayload(peek(raw), dest, to, level));
  counts.moved += Number(await scripts(client)['move-batch']([list.key, to.key], args));
  return items.length;
}
