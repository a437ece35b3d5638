import type { Redis } from 'ioredis';
import { ENQUEUED_AT_HEADER, buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { TriageError, describeError } from '@/lib/shared/errors';
import { PRIORITIES, collapsedPriorities, emptyByPriority } from '@/lib/shared/priority';
import type { BrokerHealth, MessagePage, Queue } from '@/lib/shared/types';
import type { RedisBrokerConfig } from './config';
import type { BrokerCapabilities, BrowseOptions, ConsumeOptions, ConsumerHandle, EnqueueItem, QueueBroker } from '../types';
import { browseLayout } from './browse';
import { REDIS_CAPABILITIES } from './capabilities';
import { createRedisClient, startClient, withRedis } from './connection';
import { redactRedisUrl } from '@/lib/redis/target';
import { discoverQueues, type DiscoveredQueue } from './discover';
import { bindingKey, configAckKeys, bindingMember, displayKey, reservedQueueReason, stepKey } from './keys';
import { PARKING_SUFFIXES, parkedFrom } from '@/lib/shared/parking';
import { laneGroupLayout, plainLayout, staticLayout, targetList, type QueueLayout } from './layout';
import { scripts } from './scripts';
import { RedisControl } from './control/redis-control';
import { consumeRedis } from './consume';

export interface RedisBrokerOptions {
  /** Key prefixes that are not queues (Triage's own state). */
  excludePrefixes?: string[];
  logger?: { warn: (obj: object, msg?: string) => void };
  /** How long a discovery scan is reused; queue names change rarely, depths are always fresh. */
  discoveryTtlMs?: number;
}

const STAMP_TTL_MS = 5000;
const DECLARE_TTL_MS = 5000;
const STAMPS_PER_LISTING = 500;

/** Messages encoded per LPUSH sent during an enqueue. */
const ENQUEUE_CHUNK = 250;

const HINT = 'start it with `npm run services` (or `redis-server --daemonize yes`); Triage keeps serving the other broker meanwhile';

/**
 * Redis with kombu's layout (celery-wire.md §2): one list per priority step, LPUSH to
 * enqueue, consumers pop the tail of the most urgent non-empty list; in-flight messages
 * live in kombu's `unacked` hash.
 */
export class RedisBroker implements QueueBroker {
  readonly kind = 'redis' as const;
  readonly capabilities: BrokerCapabilities = REDIS_CAPABILITIES;
  readonly id: string;
  private readonly client: Redis;
  private lastError: string | null = null;
  private discovery: { at: number; queues: Map<string, DiscoveredQueue> } | null = null;
  private discoveryInFlight: Promise<Map<string, DiscoveredQueue>> | null = null;
  private version: string | null = null;
  /** When each queue's binding was last written by enqueue (see DECLARE_TTL_MS). */
  private readonly declaredAt = new Map<string, number>();
  /**
   * Tail stamps (the oldest message's enqueue time) per list. Reading one means copying a
   * whole message inside Redis, ~10x the cost of its LLEN, so a listing re-reads at most
   * STAMPS_PER_LISTING of them, those older than STAMP_TTL_MS first: the listing's cost
   * then follows the number of queues, never the backlog. A stamp only goes stale when a
   * worker takes the tail, so an age may lag by a few seconds; depths are always fresh.
   */
  private readonly stamps = new Map<string, { stamp: string | null; at: number }>();
  private controlImpl: RedisControl | null = null;

  constructor(
    readonly config: RedisBrokerConfig,
    private readonly options: RedisBrokerOptions = {},
  ) {
    this.id = config.id;
    this.client = createRedisClient(config.url, {
      name: `triage:${config.id}`,
      onError: (error) => {
        if (this.lastError !== error.message) options.logger?.warn({ broker: this.id, err: error.message }, 'redis connection error');
        this.lastError = error.message;
      },
    });
    this.client.on('ready', () => {
      this.lastError = null;
    });
  }

  async connect(): Promise<void> {
    await startClient(this.client);
  }

  async close(): Promise<void> {
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  async health(): Promise<BrokerHealth> {
    const started = performance.now();
    try {
      await withTimeout(this.client.ping(), 2000);
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      if (!this.version) {
        const info = await this.client.info('server');
        this.version = /redis_version:(\S+)/.exec(info)?.[1] ?? null;
      }
      return { id: this.id, kind: 'redis', ok: true, latencyMs, version: this.version };
    } catch (error) {
      return {
        id: this.id,
        kind: 'redis',
        ok: false,
        latencyMs: null,
        version: null,
        error: `cannot reach Redis at ${redactRedisUrl(this.config.url)}: ${this.lastError ?? describeError(error)}`,
        hint: HINT,
      };
    }
  }

  async listQueues(): Promise<Queue[]> {
    return withRedis(this.id, async () => {
      const discovered = await this.discovered(false);
      return this.describe(this.allLayouts(discovered), discovered);
    });
  }

  async getQueue(name: string): Promise<Queue | null> {
    return withRedis(this.id, async () => {
      const layout = await this.layoutFor(name);
      if (!layout) return null;
      const discovered = this.discovery?.queues ?? new Map<string, DiscoveredQueue>();
      const [queue] = await this.describe([layout], discovered, true);
      return queue ?? null;
    });
  }

  async enqueue(queue: string, items: readonly EnqueueItem[]): Promise<string[]> {
    return withRedis(this.id, async () => {
      const layout = await this.requireLayout(queue);
      const ids: string[] = [];
      const sent: Promise<unknown>[] = [];
      const declared = new Set<string>();
      let byKey = new Map<string, string[]>();
      let buffered = 0;
      // Commands go out while later messages are still being encoded, so Redis stores one
      // chunk while this process encodes the next. Same connection, so each list still
      // receives its messages in the given order.
      const flush = () => {
        for (const [key, payloads] of byKey) sent.push(this.client.lpush(key, ...payloads));
        byKey = new Map();
        buffered = 0;
      };
      try {
        for (const item of items) {
          const list = targetList(layout, item.priority);
          if (!declared.has(list.queue)) {
            // Declare like a Celery producer does, so Celery workers and discovery see the
            // queue; like kombu's maybe_declare, not again for a while (half of a single
            // enqueue's server work otherwise). A binding deleted meanwhile (queue delete)
            // is back within DECLARE_TTL_MS.
            declared.add(list.queue);
            const at = this.declaredAt.get(list.queue);
            if (at === undefined || Date.now() - at > DECLARE_TTL_MS) {
              this.declaredAt.set(list.queue, Date.now());
              sent.push(this.client.sadd(bindingKey({ prefix: this.config.globalKeyprefix }, list.queue), bindingMember(layout, list.queue, list.queue)));
            }
          }
          // kombu keeps the caller's raw priority in the envelope; it maps to the same step.
          const message = buildTaskMessage(item.spec, item.priority);
          ids.push(message.properties.correlation_id);
          const payloads = byKey.get(list.key) ?? [];
          // One LPUSH with many values keeps their order: the first given is popped first.
          payloads.push(toRedisPayload(message, { routingKey: list.queue }));
          byKey.set(list.key, payloads);
          if (++buffered >= ENQUEUE_CHUNK) flush();
        }
        flush();
      } catch (error) {
        // Encoding threw part-way: still await what was sent, so no reply goes unhandled.
        await Promise.allSettled(sent);
        for (const name of declared) this.declaredAt.delete(name);
        throw error;
      }
      const failed = (await Promise.allSettled(sent)).find((r) => r.status === 'rejected');
      if (failed) {
        for (const name of declared) this.declaredAt.delete(name);
        throw failed.reason;
      }
      return ids;
    });
  }

  /** Control primitives (lib/brokers/redis/control): batched, atomic Lua moves. */
  get control(): RedisControl {
    this.controlImpl ??= new RedisControl({
      brokerId: this.id,
      client: this.client,
      config: this.config,
      layoutFor: (name) => this.layoutFor(name),
      layoutOf: (name) => this.layoutOf(name),
    });
    return this.controlImpl;
  }

  async browse(queue: string, options: BrowseOptions): Promise<MessagePage> {
    return withRedis(this.id, async () => browseLayout(this.client, await this.requireLayout(queue), options));
  }

  /** The bundled worker's consumer (lib/brokers/redis/consume.ts); its own connections. */
  consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    return consumeRedis({ brokerId: this.id, config: this.config, layoutFor: (name) => this.layoutFor(name) }, options);
  }

  // -------------------------------------------------------------------------

  /**
   * The layout of a configured, lane-group, lane-member or discovered queue; null if unknown.
   * Every read and write of a queue (enqueue, browse, control source and target) starts here,
   * so a reserved name is refused here, before anything is touched.
   */
  async layoutFor(name: string): Promise<QueueLayout | null> {
    const reserved = this.reservedQueueName(name);
    if (reserved) throw new TriageError('UNPROCESSABLE', reserved);
    const known = staticLayout(this.config, name);
    // Parking queues exist only once something made them.
    if (known && (known.configured || parkedFrom(name) === null)) return known;
    let discovered = await this.discovered(false);
    if (!discovered.has(name)) discovered = await this.discovered(true);
    return discovered.has(name) ? this.layoutOf(name) : null;
  }

  reservedQueueName(name: string): string | null {
    return reservedQueueReason(name, {
      prefix: this.config.globalKeyprefix,
      ackNames: [this.config.unackedKey, this.config.unackedIndexKey, this.config.unackedMutexKey],
      excludePrefixes: this.options.excludePrefixes ?? [],
    });
  }

  /** The layout `name` has or would have once created (parking queues take their source's). */
  layoutOf(name: string): QueueLayout {
    return staticLayout(this.config, name) ?? plainLayout(this.config, name, undefined);
  }

  private async requireLayout(name: string): Promise<QueueLayout> {
    const layout = await this.layoutFor(name);
    if (!layout) throw new TriageError('NOT_FOUND', `queue ${name} does not exist on broker ${this.id}`);
    return layout;
  }

  /**
   * Names of the step lists of configured queues. A queue with its own separator (say ':')
   * has lists like `notifications:4` that discovery, splitting on the broker's separator,
   * would otherwise take for queues of their own.
   */
  private configuredStepNames(): Set<string> {
    const names = new Set<string>();
    const unprefixed = { ...this.config, globalKeyprefix: '' };
    const sources = [...this.config.queues.map((q) => q.name), ...this.config.laneGroups.map((g) => g.name)];
    // Their parking queues too: `notifications.drained:4` is a list of `notifications.drained`.
    for (const name of [...sources, ...sources.flatMap((n) => PARKING_SUFFIXES.map((suffix) => n + suffix))]) {
      const layout = staticLayout(unprefixed, name);
      if (layout?.type !== 'kombu') continue;
      for (const list of layout.lists) if (list.step !== 0) names.add(list.key);
    }
    return names;
  }

  private laneMembers(): Set<string> {
    return new Set(this.config.laneGroups.flatMap((g) => g.lanes.map((l) => l.queue)));
  }

  private allLayouts(discovered: Map<string, DiscoveredQueue>): QueueLayout[] {
    const members = this.laneMembers();
    const ownKeys = this.configuredStepNames();
    const layouts: QueueLayout[] = [];
    const seen = new Set<string>();
    for (const group of this.config.laneGroups) {
      layouts.push(laneGroupLayout(this.config, group));
      seen.add(group.name);
    }
    for (const queue of this.config.queues) {
      if (members.has(queue.name) || seen.has(queue.name)) continue;
      layouts.push(plainLayout(this.config, queue.name, queue));
      seen.add(queue.name);
    }
    for (const name of [...discovered.keys()].sort()) {
      if (members.has(name) || seen.has(name) || ownKeys.has(name)) continue;
      layouts.push(this.layoutOf(name));
      seen.add(name);
    }
    return layouts;
  }

  private async discovered(force: boolean): Promise<Map<string, DiscoveredQueue>> {
    if (!this.config.discover) return new Map();
    const ttl = this.options.discoveryTtlMs ?? 5000;
    if (!force && this.discovery && Date.now() - this.discovery.at < ttl) return this.discovery.queues;
    // Concurrent callers share one scan instead of each walking the keyspace.
    this.discoveryInFlight ??= discoverQueues(
      this.client,
      { prefix: this.config.globalKeyprefix, sep: this.config.sep },
      this.options.excludePrefixes ?? [],
    ).finally(() => {
      this.discoveryInFlight = null;
    });
    const queues = await this.discoveryInFlight;
    this.discovery = { at: Date.now(), queues };
    return queues;
  }

  private staleStamps(keys: readonly string[], fresh: boolean): number[] {
    const now = Date.now();
    const stale: { index: number; at: number }[] = [];
    keys.forEach((key, index) => {
      const known = this.stamps.get(key);
      if (fresh || !known || now - known.at > STAMP_TTL_MS) stale.push({ index, at: known?.at ?? 0 });
    });
    if (fresh || stale.length <= STAMPS_PER_LISTING) return stale.map((s) => s.index);
    return stale
      .sort((a, b) => a.at - b.at)
      .slice(0, STAMPS_PER_LISTING)
      .map((s) => s.index);
  }

  /** The script's reply with the stamps it was not asked for filled in from the cache. */
  private withCachedStamps(keys: readonly string[], reply: (number | string | null)[], wanted: readonly number[]): (number | string | null)[] {
    const now = Date.now();
    const asked = new Set(wanted);
    keys.forEach((key, i) => {
      const depth = Number(reply[2 * i] ?? 0);
      if (depth === 0) {
        this.stamps.delete(key);
      } else if (asked.has(i)) {
        const stamp = reply[2 * i + 1];
        this.stamps.set(key, { stamp: typeof stamp === 'string' ? stamp : null, at: now });
      } else {
        reply[2 * i + 1] = this.stamps.get(key)?.stamp ?? null;
      }
    });
    // Lists that vanished from the layouts (deleted queues) must not keep entries forever.
    if (this.stamps.size > 2 * keys.length + 1000) {
      const live = new Set(keys);
      for (const key of this.stamps.keys()) if (!live.has(key)) this.stamps.delete(key);
    }
    return reply;
  }

  /** Depth, per-level counts, oldest ages and in-flight for many queues in two round trips. */
  private async describe(layouts: QueueLayout[], discovered: Map<string, DiscoveredQueue>, fresh = false): Promise<Queue[]> {
    const strayKeys = layouts.map((layout) => this.strayStepKeys(layout, discovered.get(layout.name)));
    const keys = layouts.flatMap((layout, i) => [...layout.lists.map((l) => l.key), ...strayKeys[i]!]);
    const acks = configAckKeys(this.config);
    const wanted = this.staleStamps(keys, fresh);
    const [reply, unacked] = await Promise.all([
      keys.length > 0
        ? (scripts(this.client)['queue-stats'](keys, [ENQUEUED_AT_HEADER, ...wanted.map((i) => i + 1)]) as Promise<(number | string | null)[]>)
        : [],
      this.client.hvals(acks.unacked),
    ]);
    const stats = this.withCachedStamps(keys, reply, wanted);
    const inFlightByRoutingKey = countByRoutingKey(unacked);
    const now = Date.now();

    let cursor = 0;
    return layouts.map((layout, i) => {
      const byPriority = emptyByPriority();
      const oldest: Record<string, number | null> = Object.fromEntries(PRIORITIES.map((p) => [String(p), null]));
      const listDepths = new Map<string, number>();
      for (const list of layout.lists) {
        const depth = Number(stats[cursor] ?? 0);
        listDepths.set(list.key, depth);
        const stamp = stats[cursor + 1];
        cursor += 2;
        byPriority[String(list.level)] = (byPriority[String(list.level)] ?? 0) + depth;
        const age = typeof stamp === 'string' ? ageSec(stamp, now) : null;
        if (age !== null) oldest[String(list.level)] = Math.max(oldest[String(list.level)] ?? 0, age);
      }
      let stray = 0;
      for (let s = 0; s < strayKeys[i]!.length; s++) {
        stray += Number(stats[cursor] ?? 0);
        cursor += 2;
      }
      const memberQueues = new Set(layout.lists.map((l) => l.queue));
      const inFlight = [...memberQueues].reduce((sum, q) => sum + (inFlightByRoutingKey.get(q) ?? 0), 0);
      const ages = Object.values(oldest).filter((a): a is number => a !== null);
      const depth = Object.values(byPriority).reduce((a, b) => a + b, 0);
      return {
        broker: this.id,
        kind: 'redis',
        name: layout.name,
        depth,
        byPriority,
        inFlight,
        consumers: null,
        paused: false,
        oldestAgeSec: ages.length > 0 ? Math.max(...ages) : null,
        oldestAgeSecByPriority: oldest,
        levels: layout.levels,
        levelOf: PRIORITIES.map((p) => targetList(layout, p).level),
        rates: { enqueue: null, dequeue: null },
        ...(layout.lanes
          ? {
              lanes: layout.lanes.map((lane) => ({
                queue: lane.queue,
                priorities: [lane.priorities[0], lane.priorities[1]] as [number, number],
                depth: layout.lists
                  .filter((l) => l.queue === lane.queue)
                  .reduce((sum, l) => sum + (listDepths.get(l.key) ?? 0), 0),
              })),
            }
          : {}),
        details: {
          type: layout.type,
          configured: layout.configured,
          steps: layout.steps,
          // Priorities that share a list with a more urgent one (kombu's defaults fold 1,2 into 0...).
          foldedPriorities: layout.type === 'kombu' ? collapsedPriorities(layout.steps) : [],
          sep: displayKey(layout.sep),
          keys: layout.lists.map((l) => displayKey(l.key)),
          globalKeyprefix: this.config.globalKeyprefix,
        },
        warnings: this.warnings(layout, stray),
        capabilities: this.capabilities,
      } satisfies Queue;
    });
  }

  private strayStepKeys(layout: QueueLayout, found: DiscoveredQueue | undefined): string[] {
    if (!found || layout.type !== 'kombu') return [];
    const known = new Set(layout.steps);
    return [...found.stepsSeen].filter((s) => !known.has(s)).map((s) => stepKey({ prefix: this.config.globalKeyprefix, sep: layout.sep }, layout.name, s));
  }

  private warnings(layout: QueueLayout, stray: number): string[] {
    const warnings: string[] = [];
    if (stray > 0) {
      warnings.push(
        `${stray} message(s) sit in step lists outside steps [${layout.steps.join(',')}]: a producer uses other priority_steps, and workers with these steps never pop them`,
      );
    }
    return warnings;
  }
}

function countByRoutingKey(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    try {
      // kombu stores [payload, exchange, routing_key].
      const entry = JSON.parse(value) as unknown[];
      const routingKey = typeof entry[2] === 'string' ? entry[2] : null;
      if (routingKey) counts.set(routingKey, (counts.get(routingKey) ?? 0) + 1);
    } catch {
      // A malformed entry is kombu's problem to restore; it just isn't counted.
    }
  }
  return counts;
}

function ageSec(stamp: string, now: number): number | null {
  const at = Date.parse(stamp);
  return Number.isFinite(at) ? Math.max(0, Math.round((now - at) / 1000)) : null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
