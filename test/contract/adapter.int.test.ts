import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import type { EnqueueItem, QueueBroker } from '@/lib/brokers/types';
import { emptyByPriority, PRIORITIES } from '@/lib/shared/priority';
import { uniqueName, waitFor } from '@/test/support';
import { TARGETS, type ConfigOptions, type ContractTarget, type RawQueues } from './targets';

/**
 * The adapter's contract (QueueBroker), once for every broker kind, against the real
 * broker: what enqueue stores (checked on the broker itself, bypassing the adapter), depth
 * per priority, browse order, paging and filters, unknown queues, health, reconnection.
 * Layout specifics (kombu step lists, x-max-priority wire values, management statistics)
 * stay in the per-kind files beside each adapter.
 */
describe.each(TARGETS)('adapter on $kind', (target: ContractTarget) => {
  let raw: RawQueues;
  const brokers: QueueBroker[] = [];
  const names: string[] = [];

  beforeAll(async () => {
    raw = await target.openRaw();
  });
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((b) => b.close()));
    await raw.remove(names.splice(0));
  });
  afterAll(async () => {
    await raw.close();
  });

  function name(label: string): string {
    const n = uniqueName(label);
    names.push(n);
    return n;
  }

  async function start(options: ConfigOptions): Promise<QueueBroker> {
    const broker = createBroker(target.config(options));
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  function item(priority: number, args: unknown[], task = 'myapp.tasks.send_email', kwargs: Record<string, unknown> = {}): EnqueueItem {
    return { priority, spec: { task, args, kwargs } };
  }

  /** Ids in the order a strict-priority consumer receives them: by level, FIFO within one. */
  function deliveryOrder(ids: readonly string[], priorities: readonly number[], levelOf: readonly number[]): string[] {
    return ids
      .map((id, seq) => ({ id, seq, level: levelOf[priorities[seq]!]! }))
      .sort((a, b) => a.level - b.level || a.seq - b.seq)
      .map((e) => e.id);
  }

  describe('enqueue', () => {
    it('bulk-enqueues 5,000 messages, all on the broker at once, each at the level of its priority, FIFO within a level', async () => {
      const q = name('a-bulk');
      const broker = await start({ queues: [{ name: q }] });
      const priorities = Array.from({ length: 5000 }, (_, i) => (i * 7) % 10);
      const ids = await broker.enqueue(q, priorities.map((p, i) => item(p, [i])));
      expect(ids).toHaveLength(5000);
      expect(new Set(ids).size).toBe(5000);
      const { levelOf } = (await broker.getQueue(q))!;
      // Resolved means stored (Redis: the pipeline replied; RabbitMQ: confirms): no waiting.
      const stored = await raw.read(q);
      expect(stored.map((m) => m.id)).toEqual(deliveryOrder(ids, priorities, levelOf));
      const priorityOf = new Map(ids.map((id, i) => [id, priorities[i]!]));
      expect(stored.every((m) => m.level === levelOf[priorityOf.get(m.id)!] && m.priority === priorityOf.get(m.id))).toBe(true);
    });

    it('unknown queues: getQueue null, enqueue and browse NOT_FOUND, nothing created, the broker still healthy', async () => {
      const broker = await start({});
      const q = name('a-unknown');
      expect(await broker.getQueue(q)).toBeNull();
      await expect(broker.enqueue(q, [item(0, [])])).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(broker.browse(q, { limit: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await raw.exists(q)).toBe(false);
      expect((await broker.health()).ok).toBe(true);
    });
  });

  describe('reading', () => {
    it('counts depth per priority, each count under the level its priority is stored at', async () => {
      const q = name('a-depth');
      const broker = await start({ queues: [{ name: q }] });
      const counts: Record<number, number> = { 0: 1, 1: 2, 3: 2, 5: 4, 6: 1, 9: 3 };
      await broker.enqueue(q, Object.entries(counts).flatMap(([p, n]) => Array.from({ length: n }, (_, i) => item(Number(p), [i]))));
      // Some brokers report depth from statistics that lag by seconds (details.statsLagging).
      const queue = await waitFor('the depth of 13 with its per-priority split', async () => {
        const found = await broker.getQueue(q);
        return found?.depth === 13 && !found.details.statsLagging && !found.warnings.some((w) => /split not reported/.test(w)) && found;
      }, 60_000);
      const expected = emptyByPriority();
      for (const [p, n] of Object.entries(counts)) expected[String(queue.levelOf[Number(p)])]! += n;
      expect(queue.byPriority).toEqual(expected);
      expect(queue).toMatchObject({ name: q, depth: 13, inFlight: 0, paused: false });
      // Levels are the distinct places priorities are stored at, each priority at or above its own urgency.
      expect(queue.levels).toEqual([...new Set(queue.levelOf)]);
      expect(PRIORITIES.every((p) => queue.levelOf[p]! <= p && queue.levels.includes(queue.levelOf[p]!))).toBe(true);
      expect(queue.oldestAgeSec).not.toBeNull();
      expect((await broker.listQueues()).find((x) => x.name === q)?.byPriority).toEqual(expected);
    });

    it('browses in delivery order, decoded, page by page, with filters, leaving the queue as it was', async ({ annotate }) => {
      const q = name('a-browse');
      const broker = await start({ queues: [{ name: q }] });
      const priorities = Array.from({ length: 30 }, (_, i) => (i * 7) % 10);
      const items = priorities.map((p, i) => item(p, [`ref-${i}`], i % 2 === 0 ? 'myapp.tasks.send_email' : 'myapp.tasks.send_otp', { n: i }));
      const ids = await broker.enqueue(q, items);
      const { levelOf } = (await broker.getQueue(q))!;
      const expected = deliveryOrder(ids, priorities, levelOf);
      const before = await raw.read(q);
      expect(before.map((m) => m.id)).toEqual(expected);
      const seqOf = new Map(ids.map((id, i) => [id, i]));

      const page1 = await broker.browse(q, { limit: 10 });
      expect(page1.messages.map((m) => m.id)).toEqual(expected.slice(0, 10));
      expect(page1.nextCursor).toEqual(expect.any(String));
      const first = page1.messages[0]!;
      const seq = seqOf.get(first.id)!;
      expect(first).toMatchObject({
        task: items[seq]!.spec.task,
        args: items[seq]!.spec.args,
        kwargs: items[seq]!.spec.kwargs,
        priority: levelOf[priorities[seq]!],
        taskPriority: priorities[seq],
        retries: 0,
        eta: null,
        protocol: 2,
      });
      expect(first.decodeError).toBeUndefined();
      // Following cursors reads each message once, in order (the page after the last full
      // one may come back empty: an adapter need not look ahead).
      const paged = [...page1.messages.map((m) => m.id)];
      let cursor = page1.nextCursor;
      for (let pages = 1; cursor && pages < 5; pages++) {
        const page = await broker.browse(q, { limit: 10, cursor });
        paged.push(...page.messages.map((m) => m.id));
        cursor = page.nextCursor;
      }
      expect(cursor).toBeNull();
      expect(paged).toEqual(expected);
      expect((await broker.browse(q, { limit: 500 })).nextCursor).toBeNull();

      // Filters apply to the tasks' own priorities and names, in delivery order.
      const urgent = await broker.browse(q, { limit: 50, priorities: new Set([0, 1]) });
      expect(urgent.messages.map((m) => m.id)).toEqual(expected.filter((id) => priorities[seqOf.get(id)!]! <= 1));
      const otp3 = await broker.browse(q, { limit: 50, task: 'send_otp', priorities: new Set([3]) });
      expect(otp3.messages.map((m) => m.id)).toEqual(expected.filter((id) => seqOf.get(id)! % 2 === 1 && priorities[seqOf.get(id)!] === 3));
      expect(otp3.messages.length).toBeGreaterThan(0);
      const text = await broker.browse(q, { limit: 50, text: 'ref-17' });
      expect(text.messages.map((m) => m.id)).toEqual([ids[17]]);
      const byId = await broker.browse(q, { limit: 50, text: ids[5]! });
      expect(byId.messages.map((m) => m.id)).toEqual([ids[5]]);
      await expect(broker.browse(q, { limit: 10, cursor: 'garbage!' })).rejects.toMatchObject({ code: 'INVALID' });

      // Nothing lost, nothing reordered. A non-destructive browse leaves every byte; the
      // other kind fetches and requeues, and says so.
      await waitFor('every browsed message to be back', async () => (await raw.count(q)) === 30);
      const after = await raw.read(q);
      expect(after.map((m) => m.id)).toEqual(expected);
      if (broker.capabilities.nonDestructiveBrowse) {
        expect(after.map((m) => m.stored)).toEqual(before.map((m) => m.stored));
        expect(page1.requeued ?? false).toBe(false);
      } else {
        annotate('fetch-and-requeue browse: order kept, messages marked redelivered');
        expect(page1.requeued).toBe(true);
        expect(after.every((m) => m.redelivered)).toBe(true);
      }
    });
  });

  describe('health', () => {
    it('reports an unreachable broker without throwing, operations are UNAVAILABLE; a live one is healthy', async () => {
      const q = name('a-dead');
      const dead = await start({ ...target.unreachable, queues: [{ name: q }] });
      const health = await dead.health();
      expect(health).toMatchObject({ kind: target.kind, ok: false });
      expect(health.error).toMatch(target.unreachableError);
      expect(health.hint).toMatch(/npm run services/);
      expect(health.latencyMs).toBeNull();
      // The URL's credentials never reach the health report (the UI shows it).
      expect(health.error).not.toMatch(/guest/);
      await expect(dead.listQueues()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(dead.enqueue(q, [item(0, [])])).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(dead.browse(q, { limit: 10 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await dead.close();
      expect((await dead.health()).ok).toBe(false);

      const live = await start({});
      const ok = await live.health();
      expect(ok).toMatchObject({ kind: target.kind, ok: true });
      expect(ok.version).toMatch(/^\d+\./);
      expect(ok.latencyMs).toEqual(expect.any(Number));
    });

    it('reconnects by itself after the server drops its connection', async () => {
      const q = name('a-reconnect');
      // An id of its own: the server side finds the connection by the name the id gives it.
      const broker = await start({ id: `c${randomUUID().slice(0, 8)}`, queues: [{ name: q }] });
      const [before] = await broker.enqueue(q, [item(1, ['before'])]);
      await raw.dropConnection(broker);
      const [after] = await waitFor('enqueue to work again', () => broker.enqueue(q, [item(2, ['after'])]), 30_000);
      await waitFor('the adapter to be healthy again', async () => (await broker.health()).ok);
      expect((await raw.read(q)).map((m) => m.id).filter((id) => id === before || id === after)).toEqual([before, after]);
    });
  });
});
