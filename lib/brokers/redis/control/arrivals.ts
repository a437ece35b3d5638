import type { Redis } from 'ioredis';
import type { Arrival, ArrivalCursor, ArrivalRead, TransferSink } from '../../types';
import type { PhysicalList, QueueLayout } from '../layout';
import { scripts } from '../scripts';
import { argsTextOf, moveBatch, peek, toTransfer, type Peeked } from './envelope';
import { runMoveBatch } from './relocation';

/**
 * Standing rules on kombu's layout: arrivals are read in place from each list's head (see
 * lua/read-arrivals.lua). The cursor maps each list key to its marker, the newest message
 * seen there that stayed, base64; null when the list held none (every message is new).
 */

interface RedisArrivalRef {
  list: PhysicalList;
  peeked: Peeked;
}

type Markers = Record<string, string | null>;

function refOf(arrival: Arrival): RedisArrivalRef {
  return arrival.ref as RedisArrivalRef;
}

function parseCursor(cursor: ArrivalCursor): Markers {
  try {
    const parsed: unknown = JSON.parse(cursor);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Markers) : {};
  } catch {
    return {};
  }
}

export async function readArrivals(client: Redis, layout: QueueLayout, cursor: ArrivalCursor | null, limit: number): Promise<ArrivalRead> {
  const keys = layout.lists.map((l) => l.key);
  if (cursor === null) {
    // "Now": each list's newest message; whatever is pushed after it is an arrival.
    const heads = await Promise.all(keys.map((key) => client.lindexBuffer(key, 0)));
    const markers: Markers = Object.fromEntries(keys.map((key, i) => [key, heads[i]?.toString('base64') ?? null]));
    return { arrivals: [], next: () => JSON.stringify(markers) };
  }
  const before = parseCursor(cursor);
  // A list the cursor does not know (the queue gained a level) starts now: it is marked, not read.
  const unknown = keys.filter((key) => !(key in before));
  const heads = await Promise.all(unknown.map((key) => client.lindexBuffer(key, 0)));
  unknown.forEach((key, i) => (before[key] = heads[i]?.toString('base64') ?? null));
  const args = keys.map((key) => (before[key] ? Buffer.from(before[key]!, 'base64') : ''));
  const replies = (await scripts(client, 'buffer')['read-arrivals'](keys, [limit, ...args])) as [number, ...Buffer[]][];
  const arrivals: Arrival[] = [];
  const perList: { key: string; found: boolean; newestFirst: Arrival[] }[] = [];
  layout.lists.forEach((list, i) => {
    const [found, ...items] = replies[i]!;
    const newestFirst = items.map((raw) => toArrival(list, peek(raw, layout, list)));
    perList.push({ key: list.key, found: found === 1, newestFirst });
    arrivals.push(...[...newestFirst].reverse());
  });
  return {
    arrivals,
    next(leaving) {
      const markers: Markers = {};
      for (const { key, found, newestFirst } of perList) {
        const staying = newestFirst.find((a) => !leaving.has(a));
        markers[key] = staying ? refOf(staying).peeked.raw.toString('base64') : found ? before[key]! : null;
      }
      return JSON.stringify(markers);
    },
  };
}

function toArrival(list: PhysicalList, peeked: Peeked): Arrival {
  return { id: peeked.id, task: peeked.task, priority: peeked.priority, argsText: argsTextOf(peeked.envelope), ref: { list, peeked } satisfies RedisArrivalRef };
}

function byList(arrivals: readonly Arrival[]): Map<string, { list: PhysicalList; peeked: Peeked[] }> {
  const groups = new Map<string, { list: PhysicalList; peeked: Peeked[] }>();
  for (const arrival of arrivals) {
    const { list, peeked } = refOf(arrival);
    const group = groups.get(list.key) ?? { list, peeked: [] };
    group.peeked.push(peeked);
    groups.set(list.key, group);
  }
  return groups;
}

/** Oldest first in, so they join the back of their target lists in arrival order. */
export async function relocateArrivals(
  client: Redis,
  dest: QueueLayout,
  arrivals: readonly Arrival[],
  priority: number | null,
  declare: () => Promise<void>,
): Promise<{ moved: number; left: Arrival[] }> {
  let moved = 0;
  const leaving = new Set<Peeked>();
  for (const { list, peeked } of byList(arrivals).values()) {
    // Already on the list it would go to: left where it is.
    const batch = moveBatch(peeked, dest, priority, list);
    if (batch.args.length === 0) continue;
    await declare();
    moved += await runMoveBatch(client, list.key, batch, 'arrived');
    for (const p of batch.moving) leaving.add(p);
  }
  return { moved, left: arrivals.filter((a) => leaving.has(refOf(a).peeked)) };
}

export async function removeArrivals(client: Redis, arrivals: readonly Arrival[], sink: TransferSink): Promise<number> {
  let removed = 0;
  for (const { list, peeked } of byList(arrivals).values()) {
    const messages = peeked.map((p) => toTransfer(p, list.level));
    await sink.write(messages);
    const results = (await scripts(client)['remove-arrivals']([list.key], peeked.map((p) => p.raw))) as number[];
    const gone = messages.filter((_, i) => results[i] !== 1);
    if (gone.length > 0) await sink.unwritten?.(gone);
    removed += messages.length - gone.length;
  }
  return removed;
}
