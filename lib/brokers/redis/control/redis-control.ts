import type { Redis } from 'ioredis';
import type { RedisBrokerConfig } from '../config';
import { TriageError } from '@/lib/shared/errors';
import type {
  Arrival,
  ArrivalCursor,
  ArrivalRead,
  BrokerControl,
  ControlCapabilities,
  InsertAt,
  ControlOptions,
  ControlProgress,
  ControlResult,
  FindWaitingOptions,
  MessageSelector,
  PutItem,
  RemoteCommand,
  RelocateTarget,
  RemoteReplies,
  TargetOptions,
  TransferMessage,
  TransferSink,
  WaitingSearch,
} from '../../types';
import { withRedis } from '../connection';
import { bindingKey, bindingMember } from '../keys';
import { targetList, type PhysicalList, type QueueLayout } from '../layout';
import { scripts } from '../scripts';
import { matchesSelector, wholeLevelsSelected } from '../../browse-filter';
import { batchSizeOf } from '../../control-batch';
import { moveBatch, movedOf, payloadFor, peek, toTransfer, type Peeked } from './envelope';
import { findWaitingInLayout } from './find-waiting';
import { relocateToFront } from './relocate-front';
import { runMoveBatch, type Relocation } from './relocation';
import { publishPidbox, requestPidbox } from './pidbox';
import { relocateAll } from './relocate-all';
import { readArrivals, relocateArrivals, removeArrivals } from './arrivals';
import { execOrThrow } from '../multi';

/**
 * Control primitives on kombu's Redis layout.
 *
 * Every list is walked from its tail (the next message a worker pops) towards its head in
 * bounded batches (LRANGE of BATCH messages, binary-safe). A batch is then moved by one Lua
 * call (lua/move-batch.lua) that LREMs each message by its exact bytes and LPUSHes it onto
 * its target list in the same atomic step, oldest first, so FIFO within a priority holds
 * and a process killed at any moment leaves each message in the source or the target.
 *
 * Each list is read at most as far as it was long when the operation started, so messages
 * moved into a list that is scanned later are never taken twice, and producers pushing
 * meanwhile cannot make an operation run forever.
 *
 * Relocating everything (no filter) skips the read: see relocate-all.ts, where
 * move-tail.lua takes and rewrites each batch on the server. A move that keeps priorities
 * sends each message to the list of its own priority (`properties.priority`), never to the
 * level of the list it sat in, so no layout pair changes a task's priority.
 *
 * Restores (`at: 'front'`) walk from the head instead: see relocate-front.ts.
 *
 * A concurrent consumer that pops a message between the read and the Lua call simply wins:
 * the message is not moved (and not counted). With a filter, messages that stay (not
 * selected) pile up at the tail and consumers popping them shift every position; each read
 * therefore also returns the deepest examined message (the anchor) and, when it is not
 * where expected, finds it again, so no selected message is skipped over.
 */

export interface RedisControlDeps {
  brokerId: string;
  client: Redis;
  config: RedisBrokerConfig;
  layoutFor(name: string): Promise<QueueLayout | null>;
  /** The layout a queue has or would have once created (a parking queue: its source's). */
  layoutOf(name: string): QueueLayout;
}

export class RedisControl implements BrokerControl {
  readonly capabilities: ControlCapabilities = { atomicMove: true, nonDestructiveScan: true, remoteControl: true, frontInsert: true, arrivals: true };

  constructor(private readonly deps: RedisControlDeps) {}

  private get client(): Redis {
    return this.deps.client;
  }

  private async layout(name: string): Promise<QueueLayout> {
    const layout = await this.deps.layoutFor(name);
    if (!layout) throw new TriageError('NOT_FOUND', `queue ${name} does not exist on broker ${this.deps.brokerId}`);
    return layout;
  }

  /** A target that may not exist yet (a kombu queue exists once it has a list or binding). */
  private async targetLayout(name: string): Promise<QueueLayout> {
    return (await this.deps.layoutFor(name)) ?? this.deps.layoutOf(name);
  }

  async prepareTarget(queue: string, options: TargetOptions = {}): Promise<void> {
    await withRedis(this.deps.brokerId, async () => {
      const layout = await this.deps.layoutFor(queue);
      if (layout) return;
      if (!options.create) throw new TriageError('NOT_FOUND', `queue ${queue} does not exist on broker ${this.deps.brokerId}`);
      // Declare it like a Celery producer does, so discovery and Celery workers see it.
      const opts = { prefix: this.deps.config.globalKeyprefix, sep: this.deps.config.sep };
      await this.client.sadd(bindingKey(opts, queue), bindingMember(opts, queue, queue));
    });
  }

  findWaiting(queue: string, idPrefix: string, options: FindWaitingOptions): Promise<WaitingSearch> {
    return withRedis(this.deps.brokerId, async () => findWaitingInLayout(this.client, await this.layout(queue), idPrefix, options));
  }

  readArrivals(queue: string, cursor: ArrivalCursor | null, limit: number): Promise<ArrivalRead> {
    return withRedis(this.deps.brokerId, async () => readArrivals(this.client, await this.layout(queue), cursor, limit));
  }

  relocateArrivals(queue: string, arrivals: readonly Arrival[], target: { queue: string; priority: number | null }): Promise<{ moved: number; left: Arrival[] }> {
    return withRedis(this.deps.brokerId, async () => {
      const source = await this.layout(queue);
      const dest = target.queue === queue ? source : await this.targetLayout(target.queue);
      let declared: Promise<void> | null = null;
      const declare = () => (target.queue === queue ? Promise.resolve() : (declared ??= this.declare(dest)));
      return relocateArrivals(this.client, dest, arrivals, target.priority, declare);
    });
  }

  removeArrivals(queue: string, arrivals: readonly Arrival[], sink: TransferSink): Promise<number> {
    return withRedis(this.deps.brokerId, () => removeArrivals(this.client, arrivals, sink));
  }

  async memberQueues(queue: string): Promise<string[]> {
    const layout = await this.layout(queue);
    return [...new Set(layout.lists.map((l) => l.queue))];
  }

  relocate(
    queue: string,
    selector: MessageSelector,
    target: RelocateTarget,
    options: ControlOptions = {},
  ): Promise<ControlResult> {
    return withRedis(this.deps.brokerId, async () => {
      const source = await this.layout(queue);
      const dest = target.queue === queue ? source : await this.targetLayout(target.queue);
      const destKeys = new Set(dest.lists.map((l) => l.key));
      if (target.queue !== queue && source.lists.some((l) => destKeys.has(l.key))) {
        throw new TriageError('CONFLICT', `queues ${queue} and ${target.queue} share Redis lists (a lane and its group?)`);
      }
      const everything = selector.ids === undefined && selector.task === undefined && selector.priorities === undefined;
      let declared: Promise<void> | null = null;
      const declare = () => (target.queue === queue ? Promise.resolve() : (declared ??= this.declare(dest)));
      const relocation: Relocation = { client: this.client, source, dest, priority: target.priority, batchSize: batchSizeOf(options), options, declare };
      if (target.at === 'front') {
        if (!everything || target.queue === queue) throw new TriageError('INVALID', 'only a whole queue can be put at the front of another');
        const counts = await relocateToFront(relocation);
        return { matched: counts.matched, moved: counts.moved };
      }
      // Whole lists (everything, or priorities that take whole levels) move on the server, as
      // their dry run counts them: by list, not message by message.
      const wholeLists = target.priorities ? null : wholeLevelsSelected(selector, (priority) => targetList(source, priority).key);
      if (wholeLists) {
        const counts = await relocateAll(relocation, wholeLists);
        return { matched: counts.matched, moved: counts.moved };
      }
      return this.walk(source, selector, options, async (list, batch, counts) => {
        // Already where it would go: selected, but nothing to do.
        const move = moveBatch(batch, dest, target.priority, list, target.priorities);
        const { args, moving } = move;
        if (args.length === 0 || options.dryRun) return new Set<Peeked>();
        await declare();
        await options.record?.(moving.map((p) => movedOf(p, list.level)));
        counts.moved += await runMoveBatch(this.client, list.key, move, 'back');
        // Moved, or popped by a consumer first: either way no longer in the list.
        return new Set(moving);
      });
    });
  }

  extract(queue: string, selector: MessageSelector, sink: TransferSink | null, options: ControlOptions = {}): Promise<ControlResult> {
    return withRedis(this.deps.brokerId, async () => {
      const source = await this.layout(queue);
      const wholeLists = options.dryRun ? wholeLevelsSelected(selector, (priority) => targetList(source, priority).key) : null;
      if (wholeLists) {
        // Every message of the selected lists: their lengths say it, no need to read them.
        const lists = source.lists.filter((l) => wholeLists.has(l.key));
        const lengths = await Promise.all(lists.map((l) => this.client.llen(l.key)));
        const matched = lengths.reduce((sum, n) => sum + n, 0);
        options.onProgress?.({ scanned: matched, matched, moved: 0 });
        return { matched, moved: 0 };
      }
      const run = scripts(this.client)['remove-batch'];
      return this.walk(source, selector, options, async (list, batch, counts) => {
        if (batch.length === 0 || options.dryRun) return new Set<Peeked>();
        const messages = batch.map((p) => toTransfer(p, list.level));
        await options.record?.(batch.map((p) => movedOf(p, list.level)));
        await sink?.write(messages);
        const removed = (await run([list.key], batch.map((p) => p.raw))) as number[];
        const gone = messages.filter((_, i) => removed[i] !== 1);
        if (gone.length > 0) await sink?.unwritten?.(gone);
        counts.moved += messages.length - gone.length;
        return new Set(batch);
      });
    });
  }

  async putMessages(queue: string, items: readonly PutItem[], at: InsertAt = 'back'): Promise<number> {
    if (items.length === 0) return 0;
    return withRedis(this.deps.brokerId, async () => {
      const layout = await this.targetLayout(queue);
      const byKey = new Map<string, (Buffer | string)[]>();
      for (const item of items) {
        const list = targetList(layout, item.priority);
        const payloads = byKey.get(list.key) ?? [];
        payloads.push(payloadFor(item.message, list, item.priority));
        byKey.set(list.key, payloads);
      }
      const pipeline = this.client.pipeline();
      this.declareOn(pipeline, layout);
      // One LPUSH with many values keeps their order: the first given is popped first. An
      // RPUSH puts each value at the consuming end, so the last given is popped first.
      for (const [key, payloads] of byKey) {
        if (at === 'front') pipeline.rpush(key, ...payloads.reverse());
        else pipeline.lpush(key, ...payloads);
      }
      await execOrThrow(pipeline);
      return items.length;
    });
  }

  async broadcast(method: string, args: Record<string, unknown>, destination?: readonly string[]): Promise<boolean> {
    return withRedis(this.deps.brokerId, () => publishPidbox(this.client, this.deps.config.globalKeyprefix, method, args, destination));
  }

  async inspect(commands: readonly RemoteCommand[], timeoutMs: number): Promise<RemoteReplies[]> {
    const keys = { prefix: this.deps.config.globalKeyprefix, sep: this.deps.config.sep };
    return withRedis(this.deps.brokerId, () => requestPidbox(this.client, keys, commands, timeoutMs));
  }

  async broadcastControl(command: Omit<RemoteCommand, 'destination'>, destination: readonly string[], timeoutMs: number): Promise<RemoteReplies> {
    const [replies] = await this.inspect([{ ...command, destination }], timeoutMs);
    return replies!;
  }

  // -------------------------------------------------------------------------

  private async declare(layout: QueueLayout): Promise<void> {
    const pipeline = this.client.pipeline();
    this.declareOn(pipeline, layout);
    await execOrThrow(pipeline);
  }

  private declareOn(pipeline: ReturnType<Redis['pipeline']>, layout: QueueLayout): void {
    const opts = { prefix: this.deps.config.globalKeyprefix, sep: this.deps.config.sep };
    for (const name of new Set(layout.lists.map((l) => l.queue))) pipeline.sadd(bindingKey(opts, name), bindingMember(opts, name, name));
  }

  /**
   * Walks the selected lists in consumption order, tail first, in batches; `act` receives
   * the selected messages of each batch (oldest first) and returns how many of them left
   * the list's scanned window (moved/removed or consumed). Everything else stays and is
   * skipped over by the next read.
   */
  private async walk(
    layout: QueueLayout,
    selector: MessageSelector,
    options: ControlOptions,
    act: (list: PhysicalList, batch: Peeked[], counts: ControlProgress) => Promise<Set<Peeked>>,
  ): Promise<ControlResult> {
    const batchSize = batchSizeOf(options);
    const ids = selector.ids ? new Set(selector.ids) : null;
    const found = new Set<string>();
    const counts: ControlProgress = { scanned: 0, matched: 0, moved: 0 };
    // Every list, even with a priority filter: a task's own priority may differ from its list's level.
    const lists = layout.lists;
    const lengths = await Promise.all(lists.map((l) => this.client.llen(l.key)));
    const cancelled = () => Boolean(options.dryRun && options.signal?.aborted);
    for (const [i, list] of lists.entries()) {
      let budget = lengths[i]!;
      // Examined messages that stayed at the tail (not selected, or already in place), and
      // the deepest of them: consumers popping from the tail shift positions, so before
      // each read the anchor is checked and, if it moved, found again.
      let skip = 0;
      let anchor: Buffer | null = null;
      while (budget > 0 && !cancelled()) {
        const want = Math.min(batchSize, budget);
        let items: Buffer[];
        for (;;) {
          // Negative indexes count from the tail; LRANGE returns head→tail, so reverse it.
          // The read includes the anchor's position: one LRANGE is atomic, so finding the
          // anchor there proves the window starts right after what was examined.
          const got = (await this.client.lrangeBuffer(list.key, -(skip + want), skip > 0 ? -skip : -1)).reverse();
          if (skip === 0 || !anchor) {
            items = got;
            break;
          }
          if (got[0]?.equals(anchor)) {
            items = got.slice(1);
            break;
          }
          skip = await this.realign(list.key, anchor, skip);
          if (skip === 0) anchor = null;
        }
        if (items.length === 0) break;
        budget -= items.length;
        counts.scanned += items.length;
        const peeked = items.map((raw) => peek(raw, layout, list));
        const selected: Peeked[] = [];
        for (const p of peeked) {
          if (matchesSelector(p, p.priority, selector, ids)) {
            selected.push(p);
            if (p.id && ids) found.add(p.id);
          }
        }
        counts.matched += selected.length;
        const left = await act(list, selected, counts);
        skip += peeked.length - left.size;
        anchor = [...peeked].reverse().find((p) => !left.has(p))?.raw ?? anchor;
        options.onProgress?.({ ...counts });
        if (items.length < want) break;
      }
    }
    return { matched: counts.matched, moved: counts.moved, ...(ids ? { foundIds: [...found] } : {}), ...(cancelled() ? { partial: true } : {}) };
  }

  /**
   * The number of examined messages still at the tail: `skip` if the anchor (the deepest
   * of them) is where it was, else found again (LPOS within those `skip` positions). An
   * anchor that is gone was popped, and everything nearer the tail with it: start over
   * at the tail, where only unexamined messages are left.
   */
  private async realign(key: string, anchor: Buffer, skip: number): Promise<number> {
    const at = await this.client.lindexBuffer(key, -skip);
    if (at?.equals(anchor)) return skip;
    const [length, index] = (await execOrThrow(this.client.multi().llen(key).lpos(key, anchor, 'RANK', -1, 'MAXLEN', skip))) as [number, number | null];
    return index === null || index === undefined ? 0 : length - index;
  }
}

export type { TransferMessage };
