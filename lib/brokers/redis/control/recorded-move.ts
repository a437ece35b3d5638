import { createHash } from 'node:crypto';
import type { ControlProgress } from '../../types';
import type { PhysicalList } from '../layout';
import { scripts } from '../scripts';
import { movedOf, peek } from './envelope';
import type { Relocation } from './relocation';

/** A relocation at work on one of its source lists, with move-tail.lua's arguments for it. */
export interface RecordedMover extends Relocation {
  list: PhysicalList;
  to: PhysicalList;
  /** ARGV[2..5] of move-tail.lua. */
  args: string[];
  /** Moves up to `count` messages from the tail in Node (recording them first); returns how many it read. */
  moveInNode(count: number): Promise<number>;
}

/**
 * A whole-list move whose messages are recorded for undo. Each batch is read with LRANGE
 * and recorded (ids and levels only: the payloads are not sent back), then move-tail.lua
 * moves it on the server, taking only elements whose SHA-1 is among those read: a
 * consumer popping meanwhile leaves fewer to move, and anything else at the tail (a
 * restore pushed there) stops the call. So every message moved was recorded before it
 * moved, as with the Node path, at the cost of one read per batch instead of a read and
 * a write of every payload. A record that fails throws before its batch moves.
 */
export async function moveListRecorded(mover: RecordedMover, budget: number, counts: ControlProgress): Promise<void> {
  const { client, list, to, source, batchSize, options, args } = mover;
  const run = scripts(client)['move-tail'];
  let left = budget;
  while (left > 0) {
    const items = await client.lrangeBuffer(list.key, -Math.min(batchSize, left), -1);
    if (items.length === 0) return;
    // LRANGE gives head → tail; the record lists the oldest (next to move) first.
    await options.record!(items.map((raw) => movedOf(peek(raw, source, list), list.level)).reverse());
    const hashes = items.map((raw) => createHash('sha1').update(raw).digest('hex'));
    const [moved, hard, stale] = (await run([list.key, to.key], [items.length, ...args, ...hashes])) as [number, number, number];
    left -= moved;
    counts.moved += moved;
    counts.scanned += moved;
    counts.matched += moved;
    if (hard === 1 || (stale === 1 && moved === 0)) {
      // The tail holds an envelope the script leaves to Node, or one not read yet: Node reads, records and moves it.
      const read = await mover.moveInNode(Math.min(1, left));
      if (read === 0) return;
      left -= read;
    }
    options.onProgress?.({ ...counts });
  }
}
