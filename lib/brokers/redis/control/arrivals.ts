import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Arrival, ArrivalCursor, ArrivalRead, TransferMessage, TransferSink } from '../../types';
import { targetList, type PhysicalList, type QueueLayout } from '../layout';
import { scripts } from '../scripts';
import { argsTextOf, peek, peekedPayload, toTransfer, type Peeked } from './envelope';

/**
 * Standing rules on kombu's layout: arrivals are read in place from each list's head (see
 * lua/read-arrivals.lua) and taken by position (lua/take-arrivals.lua). The cursor maps each
 * list key to its marker, the newest message seen there that stayed, base64; null when the
 * list held none (every message is new).
 */

interface RedisArrivalRef {
  list: PhysicalList;
  peeked: Peeked;
  /** Its position from the head when read. */
  position: number;
  /** The newest message of the same read of the same list, and its position. */
  anchor: { raw: Buffer; position: number };
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
  const replies = (await scripts(client, 'buffer')['read-arrivals'](keys, [limit, ...args])) as [number, number, ...Buffer[]][];
  const arrivals: Arrival[] = [];
  const perList: { key: string; found: boolean; newestFirst: Arrival[] }[] = [];
  layout.lists.forEach((list, i) => {
    const [found, from, ...items] = replies[i]!;
    const anchor = { raw: items[0]!, position: Number(from) };
    const newestFirst = items.map((raw, j) => toArrival({ list, peeked: peek(raw, layout, list), position: Number(from) + j, anchor }));
    perList.push({ key: list.key, found: Number(found) === 1, newestFirst });
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

function toArrival(ref: RedisArrivalRef): Arrival {
  const { peeked } = ref;
  let argsText: string | null = null;
  return {
    id: peeked.id,
    task: peeked.task,
    priority: peeked.priority,
    // Decoded only for a rule that matches on text: most match on name and priority.
    get argsText() {
      return (argsText ??= argsTextOf(peeked.envelope));
    },
    ref,
  };
}

/** One take-arrivals.lua call per source list; `to` says where each goes (null: removed only). */
async function take(client: Redis, arrivals: readonly Arrival[], to: (ref: RedisArrivalRef) => { list: PhysicalList; payload: Buffer | string } | null): Promise<Arrival[]> {
  const bySource = new Map<string, Arrival[]>();
  for (const arrival of arrivals) bySource.set(refOf(arrival).list.key, [...(bySource.get(refOf(arrival).list.key) ?? []), arrival]);
  const taken: Arrival[] = [];
  for (const [source, group] of bySource) {
    const targets: string[] = [];
    const args: (Buffer | string | number)[] = [];
    for (const arrival of group) {
      const ref = refOf(arrival);
      const dest = to(ref);
      let index = 0;
      if (dest) {
        index = targets.indexOf(dest.list.key);
        if (index < 0) index = targets.push(dest.list.key) - 1;
        index += 2;
      }
      args.push(ref.peeked.raw, ref.position, index, dest?.payload ?? '');
    }
    const { anchor } = refOf(group[0]!);
    const results = (await scripts(client)['take-arrivals']([source, ...targets], [`triage:tombstone:${randomUUID()}`, anchor.raw, anchor.position, ...args])) as number[];
    group.forEach((arrival, i) => results[i] === 1 && taken.push(arrival));
  }
  return taken;
}

/**
 * Moves arrivals to `dest` at `priority` (null: their own), oldest first so they keep their
 * order at the back of their new lists. One already on the list it would go to stays.
 */
export async function relocateArrivals(
  client: Redis,
  dest: QueueLayout,
  arrivals: readonly Arrival[],
  priority: number | null,
  declare: () => Promise<void>,
): Promise<{ moved: number; left: Arrival[] }> {
  const moving = arrivals.filter((a) => {
    const { peeked, list } = refOf(a);
    return targetList(dest, priority ?? peeked.priority).key !== list.key;
  });
  if (moving.length === 0) return { moved: 0, left: [] };
  await declare();
  const taken = await take(client, moving, ({ peeked }) => {
    const own = priority ?? peeked.priority;
    const list = targetList(dest, own);
    return { list, payload: peekedPayload(peeked, list, own) };
  });
  // Taken or popped by a consumer first: either way no longer in the source.
  return { moved: taken.length, left: moving };
}

export async function removeArrivals(client: Redis, arrivals: readonly Arrival[], sink: TransferSink): Promise<number> {
  if (arrivals.length === 0) return 0;
  const messages = new Map<Arrival, TransferMessage>(arrivals.map((a) => [a, toTransfer(refOf(a).peeked, refOf(a).list.level)]));
  await sink.write([...messages.values()]);
  const taken = new Set(await take(client, arrivals, () => null));
  const gone = arrivals.filter((a) => !taken.has(a)).map((a) => messages.get(a)!);
  if (gone.length > 0) await sink.unwritten?.(gone);
  return taken.size;
}
