import { PRIORITIES } from '@/lib/shared/priority';
import type { ControlProgress } from '../../types';
import { targetList, taskPriorityIn, type PhysicalList, type QueueLayout } from '../layout';
import { scripts } from '../scripts';
import { moveBatch, movedOf, peek } from './envelope';
import { moveListRecorded, type RecordedMover } from './recorded-move';
import { runMoveBatch, type Relocation } from './relocation';

/**
 * Relocation of every message in some lists (`only`, by key; default all of the source's)
 * (no id or task filter). All messages of one
 * list go to the same target list, so there is nothing to select in Node: move-tail.lua
 * takes them from the tail and rewrites their envelopes on the server, and only counts
 * come back (the per-message path reads every payload and sends it twice).
 *
 * The guarantees are the per-batch ones of redis-control.ts: each call is atomic (a
 * message is in the source or the target, never both or neither), oldest first, FIFO kept;
 * each list is taken at most as far as it was long at the start; a consumer popping
 * meanwhile wins. An envelope the script will not edit as text stops it; those are moved
 * here by exact bytes (move-batch.lua) with the Node rewrite, then the script resumes.
 *
 * Keeping priorities (`priority` null), each message goes to the list of its own priority.
 * The script serves a list when every priority new messages land in it with goes to one
 * target list; a message whose own priority goes elsewhere (kombu < 5.4 restored it onto
 * step 0, or a lane's range applies to it) is hard, and moved here. A list whose priorities
 * the target keeps apart (default steps into ten) is moved here message by message.
 */
export async function relocateAll(run: Relocation, only?: ReadonlySet<string>): Promise<ControlProgress> {
  const { client, source, dest, priority, options } = run;
  const counts: ControlProgress = { scanned: 0, matched: 0, moved: 0 };
  const lists = only ? source.lists.filter((l) => only.has(l.key)) : source.lists;
  const lengths = await Promise.all(lists.map((l) => client.llen(l.key)));
  for (const [i, list] of lists.entries()) {
    const budget = lengths[i]!;
    if (budget === 0) continue;
    const route = routeOf(source, list, dest, priority);
    if (route?.to.key === list.key || options.dryRun) {
      // Every message is selected; none would change list (or nothing changes at all).
      counts.scanned += budget;
      counts.matched += budget;
      options.onProgress?.({ ...counts });
      continue;
    }
    await run.declare();
    const mover: NodeMover = { ...run, list };
    if (!route) await moveAllInNode(mover, budget, counts);
    else if (options.record) await moveListRecorded(recordedMover(mover, route, counts), budget, counts);
    else await moveList(mover, route, budget, counts);
  }
  return counts;
}

/** How move-tail.lua serves one list: its one target, and per kombu effective priority 0..9 whether a message keeps it ('1'). */
interface Route {
  to: PhysicalList;
  keep: string;
  /** The priority written into the others as JSON text; '' (keeping priorities): the others are hard. */
  priorityJson: string;
}

/** The script's route for `list`, or null when its messages go to several target lists. */
function routeOf(source: QueueLayout, list: PhysicalList, dest: QueueLayout, priority: number | null): Route | null {
  if (priority !== null) {
    const to = targetList(dest, priority);
    return { to, keep: PRIORITIES.map((p) => (p === priority ? '1' : '0')).join(''), priorityJson: JSON.stringify(priority) };
  }
  const held = PRIORITIES.filter((p) => targetList(source, p).key === list.key);
  const targets = new Set(held.map((p) => targetList(dest, p).key));
  // No priority lands here (a lane's deeper step): whatever it holds is sorted out in Node.
  if (held.length === 0 || targets.size > 1) return null;
  const to = targetList(dest, held[0]!);
  const keep = PRIORITIES.map((p) => (taskPriorityIn(source, list, p) === p && targetList(dest, p).key === to.key ? '1' : '0')).join('');
  return { to, keep, priorityJson: '' };
}

/**
 * Script calls kept in flight on the connection, so Redis starts the next batch while this
 * process reads the last reply. A call queued behind one that stopped at a hard envelope
 * finds it at the tail and stops at once, so order holds.
 */
const IN_FLIGHT = 2;

/** move-tail.lua's ARGV[2..5] for `route`. */
function scriptArgs(route: Route): string[] {
  return [route.to.queue, JSON.stringify(route.to.queue), route.priorityJson, route.keep];
}

function recordedMover(mover: NodeMover, route: Route, counts: ControlProgress): RecordedMover {
  return { ...mover, to: route.to, args: scriptArgs(route), moveInNode: (count) => moveInNode(mover, count, counts) };
}

/** A relocation at work on one of its source lists. */
interface NodeMover extends Relocation {
  list: PhysicalList;
}

/** Moves up to `budget` messages of one list to `route.to`, in script batches and Node fallbacks. */
async function moveList(mover: NodeMover, route: Route, budget: number, counts: ControlProgress): Promise<void> {
  const { client, list, batchSize, options } = mover;
  const run = scripts(client)['move-tail'];
  const to = route.to;
  const args = scriptArgs(route);
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
        const read = await moveInNode(mover, Math.min(window, unassigned), counts);
        unassigned -= read;
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

/** Moves a list whose messages go to several target lists, batch by batch in Node. */
async function moveAllInNode(mover: NodeMover, budget: number, counts: ControlProgress): Promise<void> {
  const { batchSize, options } = mover;
  let left = budget;
  while (left > 0) {
    const read = await moveInNode(mover, Math.min(batchSize, left), counts);
    if (read === 0) return;
    left -= read;
    options.onProgress?.({ ...counts });
  }
}

/**
 * Moves up to `count` messages from the tail by exact bytes with the Node rewrite, each to
 * the list of its priority (the one asked for, else its own); returns how many it read.
 */
async function moveInNode(mover: NodeMover, count: number, counts: ControlProgress): Promise<number> {
  const { client, source, list, dest, priority } = mover;
  const items = (await client.lrangeBuffer(list.key, -count, -1)).reverse();
  if (items.length === 0) return 0;
  const batch = moveBatch(items.map((raw) => peek(raw, source, list)), dest, priority);
  await mover.options.record?.(batch.moving.map((p) => movedOf(p, list.level)));
  counts.moved += await runMoveBatch(client, list.key, batch, 'back');
  counts.scanned += items.length;
  counts.matched += items.length;
  return items.length;
}
