import type { Redis } from 'ioredis';
import type { RedisBrokerConfig } from './config';
import { describeError } from '@/lib/shared/errors';
import type { ConsumeOptions, ConsumerHandle } from '../types';
import { SlotAcks } from './consume-acks';
import { RedisDelivery, type ConsumedList, type DeliveryContext } from './consume-delivery';
import { TakeBatcher, takeArgs, type Taken } from './consume-take';
import { IdleWaiter, workerClient } from './consume-wait';
import { configAckKeys, type AckKeys } from './keys';
import { plainLayout, type QueueLayout } from './layout';
import { restoreExpired, restoreTags } from './restore';
import { scripts } from './scripts';

/**
 * The Redis side of the bundled worker (celery-wire.md §2.3-2.7, §8 "Node worker (Redis)").
 *
 * - Order: every slot takes from the most urgent non-empty list of all consumed queues:
 *   lists sorted by Triage level, ties kept in the order the queues were given (and, for a
 *   lane group, lane after lane). No round-robin: the same order on every take.
 * - Nothing lost: pop + record in kombu's `unacked`/`unacked_index` is one Lua step
 *   (lua/consume-take.lua); settling (ack, retry copy, dead-letter copy) is one more. A
 *   killed worker's messages come back through the visibility-timeout restore, run by
 *   every worker (ours and Celery's) at start and periodically. A worker stopped at once
 *   (`kill`, a second Ctrl+C) hands back what it holds first, as kombu does on close.
 * - Prefetch is 1 per slot: a slot takes its next message only after settling the last.
 * - Retries and tasks with a future eta wait in a delayed set (a zset on the broker Redis,
 *   under Triage's state prefix, so it is never mistaken for a queue) and are moved back
 *   to the back of their list when due, atomically (lua/delayed-promote.lua).
 */

export interface RedisConsumeContext {
  brokerId: string;
  config: RedisBrokerConfig;
  layoutFor(name: string): Promise<QueueLayout | null>;
}

/** The delayed-retry set of one broker (on that broker's Redis). */
export function delayedKey(statePrefix: string, brokerId: string): string {
  return `${statePrefix}delayed:${brokerId}`;
}

// Due retries reach their list within this long; one cheap ZRANGEBYSCORE per tick.
const PROMOTE_EVERY_MS = 200;
const RETRY_AFTER_ERROR_MS = 500;
// A forced stop waits this long at most for a take under way and for unsent task records.
const KILL_WAIT_MS = 500;

export async function consumeRedis(ctx: RedisConsumeContext, options: ConsumeOptions): Promise<ConsumerHandle> {
  const { config } = ctx;
  const queues = [...options.queues];
  let lists = await consumedLists(ctx, queues);
  const name = `triage-worker:${ctx.brokerId}:${process.pid}`;
  const client = workerClient(config.url, name);
  const run = scripts(client);
  const waiter = new IdleWaiter(config.url, name);
  const keys = configAckKeys(config);
  const delayed = delayedKey(options.statePrefix, ctx.brokerId);
  const log = options.logger;
  let stopping = false;
  let killed = false;
  const quiet = throttle(30_000);
  /** Tags this process is running now; their unacked_index scores are kept fresh. */
  const inFlight = new Set<string>();
  /**
   * Forced stop: what goes back to the queues. Such a tag must never be settled or acked
   * here afterwards: the tag travels with the message, so that could remove the entry of
   * whichever worker takes it next.
   */
  const handedBack = new Set<string>();
  let takesOutstanding = 0;
  const slotAcks = new Set<SlotAcks>();

  const deliveries: DeliveryContext = {
    config,
    inFlight,
    settle: async (tag, push, later, binding) => {
      if (handedBack.has(tag)) throw new Error('the consumer was stopped; the message went back to its queue');
      await run['consume-settle'](
        [keys.unacked, keys.unackedIndex, push?.key ?? delayed, delayed, binding?.key ?? delayed],
        [tag, push?.payload ?? '', later ? String(later.at) : '', later?.member ?? '', binding?.member ?? ''],
      );
    },
  };

  const ack = (tags: string[]) => run['consume-take']([keys.unacked, keys.unackedIndex], takeArgs(0, tags, []));
  const sendAcks = (tags: string[]) => {
    const mine = handedBack.size > 0 ? tags.filter((tag) => !handedBack.has(tag)) : tags;
    return mine.length > 0 ? ack(mine) : Promise.resolve();
  };
  let idleSlots = 0;
  let stoppedSlots = 0;
  let concurrency = options.concurrency;
  // Slots to remove (resize): the next ones to come round their loop leave it.
  let retiring = 0;
  const taker = new TakeBatcher(
    (takeKeys, args) => run['consume-take'](takeKeys, args),
    () => concurrency - idleSlots - stoppedSlots,
    Math.ceil(options.concurrency / 2),
  );
  const idle = async (wait: Promise<void>) => {
    idleSlots += 1;
    try {
      await wait;
    } finally {
      idleSlots -= 1;
    }
  };

  // Every slot shares one plan (the same argument arrays) while pause state is unchanged,
  // so slots that come free together batch into one take.
  let plan: TakePlan = { active: [], keys: [], queues: [] };
  const currentPlan = (): TakePlan => {
    // A lane of a lane group can be paused on its own, as well as the whole group.
    const current = lists.filter((l) => !options.isPaused(l.queue) && (l.brokerQueue === l.queue || !options.isPaused(l.brokerQueue)));
    if (plan.keys.length === 0 || current.length !== plan.active.length || current.some((l, i) => l !== plan.active[i])) {
      plan = { active: current, keys: [keys.unacked, keys.unackedIndex, ...current.map((l) => l.key)], queues: current.map((l) => l.brokerQueue) };
    }
    return plan;
  };

  const slot = async (index: number) => {
    const acks = new SlotAcks(sendAcks, (error) => {
      if (!stopping && quiet.shouldLog()) log?.warn({ err: describeError(error), slot: index }, 'redis ack failed; retrying with the next take');
    });
    slotAcks.add(acks);
    let retired = false;
    while (!stopping) {
      if (retiring > 0) {
        retiring -= 1;
        retired = true;
        break;
      }
      const { active, keys: takeKeys, queues: takeQueues } = currentPlan();
      let taken: Taken | null;
      let riding: readonly string[] = [];
      try {
        if (active.length === 0) {
          await acks.flush();
          await idle(waiter.wait([]));
          continue;
        }
        const behind = acks.roomForNext();
        if (behind) await behind;
        riding = acks.takeReady();
        takesOutstanding += 1;
        try {
          taken = await taker.take(takeKeys, takeQueues, riding);
        } finally {
          takesOutstanding -= 1;
        }
        riding = [];
        // Nothing to run: acks still waiting on their records must not wait for the next message.
        if (!taken) await acks.flush();
      } catch (error) {
        acks.giveBack(riding);
        if (stopping) break;
        if (quiet.shouldLog()) log?.warn({ err: describeError(error), slot: index }, 'redis take failed; retrying');
        await sleep(RETRY_AFTER_ERROR_MS);
        continue;
      }
      if (!taken) {
        await idle(waiter.wait(active.map((l) => l.key)));
        continue;
      }
      const [at, payload, tag] = taken;
      // Taken by a take under way when the consumer was killed: never run, handed back.
      if (killed) {
        handedBack.add(tag);
        break;
      }
      const list = active[Number(at) - 3]!;
      inFlight.add(tag);
      acks.started();
      try {
        await options.onDelivery(new RedisDelivery(deliveries, list, payload, tag, acks));
      } catch (error) {
        // Left in `unacked` (no longer refreshed): the visibility-timeout restore brings it back.
        if (!killed) log?.error({ err: describeError(error), tag, slot: index }, 'message left in flight after a handler error');
      } finally {
        inFlight.delete(tag);
        acks.finished();
      }
    }
    // A retired slot no longer counts in `concurrency`; a stopped one still does.
    if (!retired) stoppedSlots += 1;
    try {
      await acks.flush();
    } catch (error) {
      // Still in `unacked`: the restore re-runs it (at-least-once).
      if (!killed) log?.warn({ err: describeError(error), slot: index }, 'could not ack the last task before stopping');
    }
  };

  const sweep = async () => {
    try {
      const result = await restoreExpired(client, config);
      if (result.restored > 0) {
        log?.info({ restored: result.restored }, 'restored in-flight messages past the visibility timeout');
        waiter.wake();
      }
    } catch (error) {
      if (!stopping) log?.warn({ err: describeError(error) }, 'visibility-timeout restore failed');
    }
  };
  const promote = async () => {
    try {
      const moved = Number(await run['delayed-promote']([delayed], [String(Date.now()), '500']));
      if (moved > 0) waiter.wake();
    } catch (error) {
      if (!stopping) log?.warn({ err: describeError(error) }, 'moving due retries failed');
    }
  };

  // Unlike kombu, a live worker keeps its in-flight entries young (ZADD XX: never re-adds
  // an entry acked or restored meanwhile), so a task that runs longer than the visibility
  // timeout is not restored and run twice; only a dead worker's entries age and come back.
  // Celery's sweep reads the same scores, so it leaves them alone too.
  const refresh = async () => {
    if (inFlight.size === 0) return;
    try {
      const now = String(Date.now() / 1000);
      await client.zadd(keys.unackedIndex, 'XX', ...[...inFlight].flatMap((tag) => [now, tag]));
    } catch (error) {
      if (!stopping && quiet.shouldLog()) log?.warn({ err: describeError(error) }, 'refreshing in-flight entries failed');
    }
  };

  await sweep();
  // kombu sweeps every ~100 s; a short visibility timeout (tests) wants quicker sweeps.
  const sweepEveryMs = Math.min(Math.max((config.visibilityTimeoutSec * 1000) / 4, 500), 30_000);
  const sweepTimer = setInterval(() => void sweep(), sweepEveryMs);
  const promoteTimer = setInterval(() => void promote(), PROMOTE_EVERY_MS);
  const refreshTimer = setInterval(() => void refresh(), Math.max((config.visibilityTimeoutSec * 1000) / 3, 250));
  const slots = Array.from({ length: options.concurrency }, (_, i) => slot(i));

  const shutdownClients = (graceful: boolean) => {
    clearInterval(sweepTimer);
    clearInterval(promoteTimer);
    clearInterval(refreshTimer);
    waiter.close();
    if (graceful) return client.quit().then(() => undefined, () => client.disconnect());
    client.disconnect();
    return Promise.resolve();
  };

  return {
    stop: async () => {
      stopping = true;
      waiter.wake();
      await Promise.all(slots);
      await shutdownClients(true);
    },
    kill: async () => {
      stopping = true;
      killed = true;
      // Now, before a running handler can settle one of them.
      for (const tag of inFlight) handedBack.add(tag);
      const handBack = async () => {
        // A take already sent may still bring a message: wait for its answer, briefly.
        for (let waited = 0; takesOutstanding > 0 && waited < KILL_WAIT_MS; waited += 10) await sleep(10);
        const pending = await Promise.all([...slotAcks].map((acks) => acks.handOver(KILL_WAIT_MS)));
        // Done, but its record never reached the state store: run again rather than unreported.
        for (const tag of pending.flatMap((p) => p.waiting)) handedBack.add(tag);
        await sendAcks(pending.flatMap((p) => p.ready));
        const restored = await restoreTags(client, config, [...handedBack]);
        if (restored > 0) log?.warn({ restored }, 'handed interrupted tasks back to their queues');
      };
      try {
        await handBack();
      } catch (error) {
        log?.error({ err: describeError(error) }, 'could not hand in-flight tasks back; the visibility-timeout restore will');
      }
      await shutdownClients(false);
    },
    nudge: () => waiter.wake(),
    addQueue: async (queue) => {
      if (queues.includes(queue)) return;
      queues.push(queue);
      // New list objects: every slot's next plan is rebuilt from them.
      lists = await consumedLists(ctx, queues);
      waiter.wake();
    },
    resize: (size) => {
      const target = Math.max(1, Math.floor(size));
      if (stopping || target === concurrency) return;
      if (target > concurrency) {
        // Cancel pending removals first: those slots are still running.
        const kept = Math.min(retiring, target - concurrency);
        retiring -= kept;
        for (let i = concurrency + kept; i < target; i += 1) slots.push(slot(slots.length));
      } else {
        retiring += concurrency - target;
        // Idle slots wake up to see whether they are the ones leaving.
        waiter.wake();
      }
      concurrency = target;
    },
  };
}

interface TakePlan {
  active: ConsumedList[];
  /** [unacked, unacked_index, ...the active lists' keys], most urgent first. */
  keys: string[];
  queues: string[];
}

/** Every list to take from, in strict consumption order. */
async function consumedLists(ctx: RedisConsumeContext, queues: readonly string[]): Promise<ConsumedList[]> {
  const entries: (ConsumedList & { rank: number })[] = [];
  for (const queue of queues) {
    // layoutFor only asks Redis about unknown names (discovery); if Redis is down then,
    // a plain kombu queue is what a Celery worker would assume as well.
    const layout = (await ctx.layoutFor(queue).catch(() => null)) ?? plainLayout(ctx.config, queue, undefined);
    for (const list of layout.lists) {
      entries.push({ key: list.key, brokerQueue: list.queue, queue, level: list.level, layout, list, rank: entries.length });
    }
  }
  // Priority-major (like kombu's BRPOP key order), then the given queue order.
  entries.sort((a, b) => a.level - b.level || a.rank - b.rank);
  const seen = new Set<string>();
  return entries
    .filter((e) => (seen.has(e.key) ? false : (seen.add(e.key), true)))
    .map((e) => ({ key: e.key, brokerQueue: e.brokerQueue, queue: e.queue, level: e.level, layout: e.layout, list: e.list }));
}

/** While Redis is down every slot fails twice a second: log the first, then every `ms`. */
function throttle(ms: number): { shouldLog(): boolean } {
  let last = 0;
  return {
    shouldLog: () => {
      const now = Date.now();
      if (now - last < ms) return false;
      last = now;
      return true;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { AckKeys, Redis };
