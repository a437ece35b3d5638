import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { uniqueName } from '@/test/support';
import { closeRedisControl, openRedisControl, stepKeyOf } from '@/test/control/helpers';
import { plainLayout, targetList } from '../layout';
import type { RedisBroker } from '../redis-broker';
import { scripts } from '../scripts';
import { peek, peekedPayload } from './envelope';
import { createHash } from 'node:crypto';

/**
 * Relocating everything goes through move-tail.lua, which rewrites envelopes as text on
 * the server. Every result is checked against envelope.ts's rewrite (the one the filtered
 * path and the script's own fallback use), message by message and in order.
 */

const base = uniqueName('rctl-all');
let redis: Redis;
let broker: RedisBroker;

beforeAll(async () => {
  ({ redis, broker } = await openRedisControl());
});
afterAll(() => closeRedisControl({ redis, broker }, base));

const layout = (name: string) => plainLayout({ globalKeyprefix: '', sep: '\x06\x16', steps: [0, 3, 6, 9] }, name, undefined);

/** Envelopes kombu (Python spacing) and Triage wrote, plus the odd ones the script must leave to Node. */
function envelopes(queue: string): { label: string; raw: string }[] {
  const fixture = JSON.parse(readFileSync(path.join(process.cwd(), 'test/fixtures/redis-default-steps.json'), 'utf8')) as {
    keys: Record<string, { type: string; value: unknown[] }>;
  };
  const kombu = Object.values(fixture.keys)
    .filter((entry) => entry.type === 'list')
    .flatMap((entry) => entry.value as string[]);
  const triage = (priority: number, extra: Record<string, unknown> = {}) =>
    toRedisPayload(buildTaskMessage({ task: 'a.task', args: [priority], extraHeaders: extra }, priority), { routingKey: queue });
  const edit = (raw: string, change: (e: Record<string, Record<string, unknown>>) => void) => {
    const envelope = JSON.parse(raw) as Record<string, Record<string, unknown>>;
    change(envelope);
    return JSON.stringify(envelope);
  };
  const t = triage(7);
  return [
    ...kombu.map((raw, i) => ({ label: `kombu ${i}`, raw })),
    { label: 'triage', raw: t },
    { label: 'header named priority', raw: triage(4, { priority: 'high', routing_key: 'x' }) },
    { label: 'non-ASCII argsrepr (\\u00e9)', raw: JSON.stringify(JSON.parse(triage(8))).replace('"argsrepr":"', '"argsrepr":"caf\\u00e9 ') },
    { label: 'priority as a string', raw: edit(t, (e) => (e.properties!.priority = '5')) },
    { label: 'no priority', raw: edit(t, (e) => delete e.properties!.priority) },
    { label: 'no delivery_info', raw: edit(t, (e) => delete e.properties!.delivery_info) },
    { label: 'properties not last', raw: edit(t, (e) => (e.zz = { a: 1 })) },
    { label: 'escaped key', raw: t.replace('"priority":7', '"priorit\\u0079":7') },
    { label: 'nested object in properties', raw: edit(t, (e) => (e.properties!.extra = { priority: 1 })) },
    { label: 'brace in a string', raw: edit(t, (e) => (e.properties!.reply_to = '}{')) },
    { label: 'priority 12', raw: edit(t, (e) => (e.properties!.priority = 12)) },
    { label: 'routing key with an escape', raw: edit(t, (e) => ((e.properties!.delivery_info as Record<string, unknown>).routing_key = 'a"b')) },
    { label: 'key ending in an escaped quote', raw: edit(t, (e) => { delete e.properties!.priority; e.properties!['x"priority'] = 3; }) },
    { label: 'last member named a"properties', raw: edit(t, (e) => (e['a"properties'] = { priority: 1, delivery_info: { routing_key: 'x' } })) },
    { label: 'not JSON', raw: 'not json at all' },
    { label: 'a JSON array', raw: '[1, {"properties": {"priority": 1}}]' },
    { label: 'properties is null', raw: edit(t, (e) => ((e as Record<string, unknown>).properties = null)) },
  ];
}

async function relocateAndCompare(q: string, to: string, priority: number | null, batchSize: number) {
  const source = stepKeyOf(q, 9);
  const items = envelopes(q);
  await redis.sadd(`_kombu.binding.${q}`, `${q}\x06\x16\x06\x16${q}`);
  // LPUSH: the first pushed is the first popped.
  await redis.lpush(source, ...items.map((i) => i.raw));
  const from = layout(q);
  const fromList = from.lists.find((l) => l.step === 9)!;
  const dest = layout(to);
  // Keeping priorities, each message goes to the list of its own priority.
  const placed = items.map((i) => {
    const p = peek(Buffer.from(i.raw), from, fromList);
    const own = priority ?? p.priority;
    const target = targetList(dest, own);
    return { ...i, target, want: peekedPayload(p, target, own) };
  });

  const result = await broker.control.relocate(q, {}, { queue: to, priority }, { batchSize });
  expect(result).toEqual({ matched: items.length, moved: items.length });
  expect(await redis.llen(source)).toBe(0);
  const contents = new Map<string, Buffer[]>();
  for (const list of dest.lists) contents.set(list.key, (await redis.lrangeBuffer(list.key, 0, -1)).reverse());
  // Each target list holds its messages in their source order.
  const taken = new Map<string, number>();
  const got = placed.map((item) => {
    const n = taken.get(item.target.key) ?? 0;
    taken.set(item.target.key, n + 1);
    return contents.get(item.target.key)![n]!;
  });
  expect(dest.lists.map((l) => contents.get(l.key)!.length)).toEqual(dest.lists.map((l) => taken.get(l.key) ?? 0));
  for (const [i, item] of placed.entries()) {
    if (Buffer.isBuffer(item.want)) expect(got[i]!.toString('utf8'), item.label).toBe(item.raw);
    else expect(JSON.parse(got[i]!.toString('utf8')), item.label).toEqual(JSON.parse(item.want));
  }
  return { items, got, placed };
}

describe('relocating everything (move-tail.lua)', () => {
  it('reprioritize: the same envelopes as the Node rewrite, in order; kombu bytes change only in the priority value', async () => {
    const q = `${base}-reprio`;
    const { items, got } = await relocateAndCompare(q, q, 0, 4);
    for (const [i, item] of items.entries()) {
      if (!item.label.startsWith('kombu')) continue;
      const own = (JSON.parse(item.raw) as { properties: { priority: number } }).properties.priority;
      const routed = item.raw.replace('"routing_key": "celery"', `"routing_key": "${q}"`);
      // The asked priority becomes each task's own: only those that had it keep their bytes.
      const bytes = own === 0 ? routed : routed.replace(`"priority": ${own},`, '"priority": 0,');
      expect(got[i]!.toString('utf8'), item.label).toBe(bytes);
    }
  });

  it('move keeping priorities: each to the list of its own priority, only the routing key rewritten', async () => {
    const q = `${base}-move`;
    const to = `${base}-move-to`;
    await broker.control.prepareTarget(to, { create: true });
    const { items, got, placed } = await relocateAndCompare(q, to, null, 500);
    for (const [i, item] of items.entries()) {
      if (!item.label.startsWith('kombu')) continue;
      const own = (JSON.parse(item.raw) as { properties: { priority: number } }).properties.priority;
      expect(placed[i]!.target.step, item.label).toBe([0, 3, 6, 9].filter((s) => s <= own).pop());
      // Only the routing key changes (the bytes too, unless the Node fallback moved it).
      expect(JSON.parse(got[i]!.toString('utf8')), item.label).toEqual(JSON.parse(item.raw.replace('"routing_key": "celery"', `"routing_key": "${to}"`)));
    }
  });

  it('counts without moving on a dry run, and leaves a list that is already the target alone', async () => {
    const q = `${base}-dry`;
    await redis.sadd(`_kombu.binding.${q}`, `${q}\x06\x16\x06\x16${q}`);
    const payloads = [0, 1, 2].map((i) => toRedisPayload(buildTaskMessage({ task: 'a', args: [i] }, 0), { routingKey: q }));
    await redis.lpush(q, ...payloads);
    expect(await broker.control.relocate(q, {}, { queue: q, priority: 9 }, { dryRun: true })).toEqual({ matched: 3, moved: 0 });
    expect(await broker.control.relocate(q, {}, { queue: q, priority: 1 })).toEqual({ matched: 3, moved: 0 });
    expect(await redis.lrange(q, 0, -1)).toEqual([...payloads].reverse());
  });

  it('a recorded move takes only the elements it was given the hashes of, whatever consumers and restores did meanwhile', async () => {
    const q = `${base}-recorded`;
    const to = `${base}-recorded-to`;
    const [a, b, c, d, x] = [0, 1, 2, 3, 4].map((i) => toRedisPayload(buildTaskMessage({ task: 'a', args: [i] }, 0), { routingKey: q }));
    await redis.lpush(q, a!, b!, c!, d!);
    // Read and recorded: the three oldest, head → tail.
    const read = await redis.lrange(q, -3, -1);
    expect(read).toEqual([c, b, a]);
    const hashes = read.map((raw) => createHash('sha1').update(raw).digest('hex'));
    const run = scripts(redis)['move-tail'];
    const args = [3, to, JSON.stringify(to), '5', '0000000000', ...hashes];
    // A consumer took the oldest, and a restore pushed an unrecorded one onto the tail.
    await redis.rpop(q);
    await redis.rpush(q, x!);
    expect(await run([q, to], args)).toEqual([0, 0, 1]);
    expect(await redis.llen(to)).toBe(0);
    // With it gone, the two recorded ones left move, and the newer unrecorded one stays.
    await redis.rpop(q);
    expect(await run([q, to], args)).toEqual([2, 0, 0]);
    expect(await redis.lrange(q, 0, -1)).toEqual([d]);
    expect((await redis.lrange(to, 0, -1)).map((raw) => (JSON.parse(raw) as { headers: { argsrepr: string } }).headers.argsrepr)).toEqual(['[2]', '[1]']);
  });
});
