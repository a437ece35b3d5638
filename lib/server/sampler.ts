import { randomUUID } from 'node:crypto';
import type { QueueBroker } from '@/lib/brokers/types';
import { DEFAULT_HIGH_BAND_ALERT_SEC, type SamplerConfig } from '@/lib/config/schema';
import type { StoredEvent } from '@/lib/state/events';
import type { HistoryStore } from '@/lib/state/history';
import { queueRef } from '@/lib/state/keys';
import type { TriageState } from '@/lib/state/triage-state';
import type { WorkerView } from '@/lib/state/worker-store';
import { decorateQueues } from '@/lib/control/queue-state';
import { describeError } from '@/lib/shared/errors';
import type { Health, Queue, QueueList } from '@/lib/shared/types';
import { celeryDiagnoses } from './celery-diagnostics';
import { DerivedRates, NOT_MEASURED } from './derived-rates';
import { listBrokerQueues } from './listing-cache';
import { readWaitTimes, withWaitTimes, withWarnings } from './queue-listing';
import { runtime, type Runtime } from './runtime';

/**
 * The one poller per server process. Every browser tab, every /metrics scrape and the
 * backlog history share its broker reads, so the cost to the brokers depends on time, not
 * on the number of open tabs:
 *
 * - while at least one SSE listener is connected: one `listQueues` + `health` per broker
 *   every `liveIntervalMs` (2 s);
 * - otherwise (history on): one per `historyIntervalSec` (10 s), and only in the replica
 *   that won that interval's lock (`SET NX PX` in the state Redis), so N dashboard replicas
 *   still write one sample per interval;
 * - otherwise: no broker reads at all (Triage's own state Redis is still read every interval
 *   for task events, which costs nothing on the brokers).
 */

export interface QueuesPayload extends Required<QueueList> {
  /** ISO time the snapshot was taken. */
  at: string;
}

export interface LiveSnapshot extends QueuesPayload {
  /** ms since the epoch, for freshness checks. */
  takenAt: number;
  health: Health;
}

export type LiveEvent =
  | { type: 'queues'; data: QueuesPayload }
  | { type: 'health'; data: Health }
  | { type: 'workers'; data: { workers: WorkerView[] } }
  | { type: 'tasks'; data: { events: StoredEvent[] } }
  | { type: 'ping'; data: { at: string } };

export type LiveListener = (event: LiveEvent) => void;

interface SamplerLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export interface SamplerOptions {
  brokers: readonly QueueBroker[];
  /** Triage's state: history, events, workers and pauses are read and written there. */
  state: TriageState;
  config: SamplerConfig;
  logger: SamplerLogger;
  /** Write backlog history (the server's sampler does; a sampler started lazily by a route in tests does not). */
  history: boolean;
  /** Asked before every tick; false stops the loop (its runtime was replaced, e.g. between tests). */
  alive?: () => boolean;
  /** Injectable clock (tests). */
  now?: () => number;
  /** Flag queues whose high band waits longer (config `highBandAlertSec`). */
  highBandAlertSec?: number;
  /** Heartbeat period for SSE listeners (default HEARTBEAT_MS). */
  pingIntervalMs?: number;
}

/**
 * SSE listeners get a `ping` this often, whatever the brokers do (a slow poll delays the
 * other events): browsers treat a few seconds of silence as a server that stopped answering.
 */
const HEARTBEAT_MS = 1_000;
/** Per tick, at most this many new task events are read (bounded work if the stream floods). */
const EVENTS_PER_TICK = 5_000;
/** At most this many task events are forwarded to tabs per tick; the rest are counted, not sent. */
const EVENTS_FORWARDED_PER_TICK = 200;

export type Outcome = 'succeeded' | 'failed' | 'retried' | 'dead';

export class Sampler {
  private readonly listeners = new Set<LiveListener>();
  private readonly state: TriageState;
  private readonly now: () => number;
  private readonly instance = randomUUID();
  private writesHistory: boolean;

  private latest: LiveSnapshot | null = null;
  private lastQueuesJson = '';
  private lastWorkersJson = '';
  private workers: WorkerView[] = [];
  private inflight: Promise<LiveSnapshot> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  private lastHistorySlot = -1;
  private eventCursor: string | null = null;
  /** Rates of queues on brokers that report none (Redis), from this sampler's own samples. */
  private readonly derived = new DerivedRates();
  /** Brokers that report no rates of their own: their rates are derived here. */
  private readonly derivesFor: ReadonlySet<string>;
  /** Task outcomes seen in the event stream since this process started (Prometheus counters). */
  readonly outcomes = new Map<string, { broker: string; queue: string; outcome: Outcome; count: number }>();
  /** Broker reads so far: tests prove tab independence with it. */
  readonly stats = { polls: 0, historyWrites: 0, ticks: 0 };

  constructor(private readonly options: SamplerOptions) {
    this.derivesFor = new Set(options.brokers.filter((b) => !b.capabilities.brokerRates).map((b) => b.id));
    this.state = options.state;
    this.now = options.now ?? Date.now;
    this.writesHistory = options.history;
  }

  /** Turns history writing on (the server start asks for it after a route may have created the sampler). */
  enableHistory(): void {
    this.writesHistory = true;
  }

  get historyStore(): HistoryStore {
    return this.state.history;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.timer = null;
    this.pingTimer = null;
    this.listeners.clear();
  }

  /** The latest snapshot, without touching a broker. */
  latestSnapshot(): LiveSnapshot | null {
    return this.latest;
  }

  /**
   * A snapshot at most `maxAgeMs` old: the latest one, or a new poll shared with any poll
   * already running (so concurrent scrapes and tabs never multiply broker reads).
   */
  async snapshot(maxAgeMs: number): Promise<LiveSnapshot> {
    if (this.latest && this.now() - this.latest.takenAt <= maxAgeMs) return this.latest;
    return this.refresh();
  }

  /** Live workers as of the last tick (Triage's state Redis, not a broker). */
  async currentWorkers(): Promise<WorkerView[]> {
    this.workers = await this.state.workers.list(this.now());
    return this.workers;
  }

  /**
   * Adds a listener: it gets the latest snapshot and health at once (if any), then every
   * change. Returns the function that removes it.
   */
  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    if (this.latest) {
      const { at, queues, unavailable, health } = this.latest;
      this.deliver(listener, { type: 'queues', data: { at, queues, unavailable } });
      this.deliver(listener, { type: 'health', data: health });
      this.deliver(listener, { type: 'workers', data: { workers: this.workers } });
    }
    if (this.listeners.size === 1) {
      this.startPings();
      // The loop may be sleeping until the next history interval: switch to the live pace now.
      if (!this.stopped && !this.ticking) this.schedule(0);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.pingTimer) {
        clearInterval(this.pingTimer);
        this.pingTimer = null;
      }
    };
  }

  /** One poll of every broker, coalesced with one already running. */
  refresh(): Promise<LiveSnapshot> {
    this.inflight ??= this.poll().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** One loop iteration; public so tests can drive the sampler with an injected clock. */
  async tick(): Promise<void> {
    this.stats.ticks++;
    const now = this.now();
    await this.readEvents();
    let slot: number | null = null;
    if (this.writesHistory) {
      const current = Math.floor(now / (this.options.config.historyIntervalSec * 1000));
      if (current > this.lastHistorySlot) {
        this.lastHistorySlot = current;
        if (await this.claim(current)) slot = current;
      }
    }
    if (slot === null && this.listeners.size === 0) return;
    const snapshot = await this.refresh();
    if (slot !== null) {
      const answered = snapshot.queues.filter((q) => !snapshot.unavailable.some((u) => u.broker === q.broker));
      await this.state.history.append(
        slot * this.options.config.historyIntervalSec * 1000,
        answered.map((q) => ({ broker: q.broker, queue: q.name, byPriority: q.byPriority })),
      );
      this.stats.historyWrites++;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.loop(), delayMs);
    // A forgotten sampler must never keep a process (a test run, a CLI) alive.
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    this.timer = null;
    if (this.stopped || this.ticking) return;
    if (this.options.alive && !this.options.alive()) {
      this.stop();
      return;
    }
    this.ticking = true;
    try {
      await this.tick();
    } catch (error) {
      this.options.logger.warn({ err: describeError(error) }, 'sampler tick failed');
    } finally {
      this.ticking = false;
    }
    this.schedule(this.nextDelay());
  }

  private nextDelay(): number {
    const { liveIntervalMs, historyIntervalSec } = this.options.config;
    if (this.listeners.size > 0) return liveIntervalMs;
    const intervalMs = historyIntervalSec * 1000;
    // Just after the next interval starts, so every replica contends for the same lock.
    return intervalMs - (this.now() % intervalMs) + 20;
  }

  private startPings(): void {
    if (this.pingTimer) return;
    this.pingTimer = setInterval(() => this.emit({ type: 'ping', data: { at: new Date(this.now()).toISOString() } }), this.options.pingIntervalMs ?? HEARTBEAT_MS);
    this.pingTimer.unref();
  }

  /** Only one replica writes a given interval; the lock outlives the interval so late replicas lose too. */
  private async claim(slot: number): Promise<boolean> {
    const ttl = this.options.config.historyIntervalSec * 3000;
    return this.state.history.claimSlot(slot, this.instance, ttl);
  }

  private async poll(): Promise<LiveSnapshot> {
    this.stats.polls++;
    const brokers = this.options.brokers;
    const celery = celeryDiagnoses(brokers);
    const [listings, healths, paused, stored, waits] = await Promise.all([
      // Always a fresh scrape, which API listings then reuse.
      Promise.allSettled(brokers.map((b) => listBrokerQueues(b, 0))),
      Promise.all(brokers.map((b) => b.health())),
      this.state.pauses.all().catch(() => new Map<string, unknown>()),
      this.state.workers.list(this.now()).catch(() => this.workers),
      readWaitTimes(this.state, brokers, this.now()),
    ]);
    const workers = celery.workers(stored);
    this.workers = workers;
    const takenAt = this.now();
    const queues: Queue[] = [];
    const unavailable: QueuesPayload['unavailable'] = [];
    listings.forEach((result, i) => {
      const broker = brokers[i]!;
      if (result.status === 'rejected') {
        unavailable.push({ broker: broker.id, error: describeError(result.reason) });
        return;
      }
      for (const decorated of decorateQueues(result.value, { paused, workers, brokers, highBandAlertSec: this.options.highBandAlertSec ?? DEFAULT_HIGH_BAND_ALERT_SEC })) {
        const queue = withWaitTimes(withWarnings(decorated, celery.queueWarnings(decorated)), waits);
        queues.push(broker.capabilities.brokerRates ? queue : { ...queue, rates: this.derived.observe(queueRef(queue.broker, queue.name), memberRefs(queue), queue.depth, takenAt) });
      }
    });
    this.derived.prune(takenAt);
    const health: Health = { status: healths.every((h) => h.ok) ? 'ok' : 'degraded', brokers: healths };
    const snapshot: LiveSnapshot = { at: new Date(takenAt).toISOString(), takenAt, queues, unavailable, health };
    this.latest = snapshot;
    if (this.listeners.size > 0) {
      const payload: QueuesPayload = { at: snapshot.at, queues, unavailable };
      const json = JSON.stringify([queues, unavailable]);
      if (json !== this.lastQueuesJson) {
        this.lastQueuesJson = json;
        this.emit({ type: 'queues', data: payload });
      }
      this.emit({ type: 'health', data: health });
      const workersJson = JSON.stringify(workers);
      if (workersJson !== this.lastWorkersJson) {
        this.lastWorkersJson = workersJson;
        this.emit({ type: 'workers', data: { workers } });
      }
    }
    return snapshot;
  }

  /**
   * `queues` with the rates this sampler derived for brokers that report none (see
   * derived-rates.ts), so API listings show what the live feed shows.
   */
  withDerivedRates(queues: readonly Queue[]): Queue[] {
    return queues.map((queue) =>
      this.derivesFor.has(queue.broker) ? { ...queue, rates: this.derived.rates(queueRef(queue.broker, queue.name)) ?? NOT_MEASURED } : queue,
    );
  }

  private async readEvents(): Promise<void> {
    if (this.eventCursor === null) {
      // Start at the stream's end: rates and counters describe what happens from now on.
      this.eventCursor = await this.state.events.lastId();
      return;
    }
    const fresh = await this.state.events.read(this.eventCursor, EVENTS_PER_TICK);
    if (fresh.length === 0) return;
    this.eventCursor = fresh[fresh.length - 1]!.id;
    for (const event of fresh) {
      if (!event.broker || !event.queue) continue;
      const ref = queueRef(event.broker, event.queue);
      if (event.type === 'task.received') this.derived.recordTaken(ref, 1);
      const outcome = OUTCOMES[event.type];
      if (outcome) {
        const key = `${ref}\n${outcome}`;
        const entry = this.outcomes.get(key) ?? { broker: event.broker, queue: event.queue, outcome, count: 0 };
        entry.count++;
        this.outcomes.set(key, entry);
      }
    }
    if (this.listeners.size > 0) this.emit({ type: 'tasks', data: { events: fresh.slice(-EVENTS_FORWARDED_PER_TICK) } });
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) this.deliver(listener, event);
  }

  private deliver(listener: LiveListener, event: LiveEvent): void {
    try {
      listener(event);
    } catch (error) {
      // One broken stream must not starve the others.
      this.options.logger.warn({ err: describeError(error) }, 'live listener failed');
      this.listeners.delete(listener);
    }
  }
}

/** A queue and, for a lane group, its lanes: workers report takes per lane. */
function memberRefs(queue: Queue): string[] {
  return [queue.name, ...(queue.lanes?.map((l) => l.queue) ?? [])].map((name) => queueRef(queue.broker, name));
}

const OUTCOMES: Partial<Record<string, Outcome>> = {
  'task.succeeded': 'succeeded',
  'task.failed': 'failed',
  'task.retried': 'retried',
  'task.dead': 'dead',
};

// ---------------------------------------------------------------------------
// The process-wide instance, tied to the runtime it reads from.

const holder = globalThis as typeof globalThis & {
  __triageSampler?: { sampler: Sampler; runtime: Runtime };
  __triageRuntime?: Runtime;
};

/**
 * The server's sampler, created on first use. `history: true` (server start, from
 * instrumentation.ts) makes it write backlog history; a sampler first created by a route
 * (tests, or a server without instrumentation) serves live data only until then.
 */
export async function getSampler(options: { history?: boolean } = {}): Promise<Sampler> {
  const rt = runtime();
  await rt.ready;
  const current = holder.__triageSampler;
  if (current && current.runtime === rt) {
    if (options.history) current.sampler.enableHistory();
    return current.sampler;
  }
  current?.sampler.stop();
  const sampler = new Sampler({
    brokers: [...rt.brokers.values()],
    state: rt.state,
    config: rt.config.sampler,
    highBandAlertSec: rt.config.highBandAlertSec,
    logger: rt.logger,
    history: options.history ?? false,
    alive: () => holder.__triageRuntime === rt,
  });
  holder.__triageSampler = { sampler, runtime: rt };
  sampler.start();
  return sampler;
}

/**
 * `queues` with the server sampler's derived rates (Redis), when it runs for the current
 * runtime; as they are otherwise. Never starts a sampler: listing queues must not.
 */
export function withSampledRates(queues: Queue[]): Queue[] {
  const current = holder.__triageSampler;
  return current && current.runtime === holder.__triageRuntime ? current.sampler.withDerivedRates(queues) : queues;
}

/** For tests: stop the process-wide sampler. */
export function stopSampler(): void {
  holder.__triageSampler?.sampler.stop();
  holder.__triageSampler = undefined;
}
