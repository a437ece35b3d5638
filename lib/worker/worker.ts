import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConsumerHandle, Delivery, QueueBroker } from '@/lib/brokers/types';
import type { Logger } from '@/lib/logger';
import { Subscriber } from '@/lib/redis/subscriber';
import { describeError } from '@/lib/shared/errors';
import type { EventLog } from '@/lib/state/events';
import type { TriageState } from '@/lib/state/triage-state';
import { listenForWorkerCommands } from '@/lib/state/worker-mailbox';
import { HEARTBEAT_INTERVAL_MS, type WorkerStore, type WorkerRecord } from '@/lib/state/worker-store';
import { execute } from './executor';
import { PauseWatch } from './pause-watch';
import { TaskRecorder } from './recorder';
import { RemoteControl } from './remote-control';
import { RevokeWatch } from './revokes';
import type { WorkerSettings } from './settings';

/** What a worker runs on: its broker adapter, its settings, and Triage's state Redis. */
export interface WorkerDeps {
  broker: QueueBroker;
  settings: WorkerSettings;
  state: TriageState;
  /** Pauses, revokes and the mailbox share one subscriber connection to it (a subscribed connection can do nothing else). */
  stateRedisUrl: string;
  logger: Logger;
  /** Redis lane → its lane groups: pausing a group also pauses workers dedicated to one of its lanes. */
  laneGroups?: Record<string, string[]>;
  /** Redis lane group → its lanes in consumption order; the record lists those of the consumed groups. */
  groupLanes?: Record<string, string[]>;
  /** Remote `shutdown`: the entry point stops the way a first SIGTERM does (default: stop()). */
  onShutdown?: () => void;
}

/**
 * One worker process: consumes its queues through the broker adapter, runs tasks, and
 * reports to Triage's state (worker record + heartbeat every 2 s, task states, events).
 *
 * Lifecycle: start() → online; stop() → takes nothing new, lets in-flight tasks finish,
 * settles them, goes offline; kill() → drops connections at once (in-flight messages go
 * back to the broker).
 */
export class Worker {
  readonly id: string;
  private readonly events: EventLog;
  private readonly recorder: TaskRecorder;
  private readonly workers: WorkerStore;
  private readonly subscriber: Subscriber;
  private readonly pause: PauseWatch;
  private readonly revokes: RevokeWatch;
  private consumer: ConsumerHandle | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly record: WorkerRecord;
  private readonly control: RemoteControl;
  private stopMailbox: (() => Promise<void>) | null = null;

  constructor(private readonly deps: WorkerDeps) {
    const { settings, state } = deps;
    // The suffix keeps two workers given the same --name apart in the worker store.
    this.id = `${settings.name}:${randomUUID().slice(0, 6)}`;
    this.events = state.events;
    this.recorder = new TaskRecorder(state.redis, state.prefix, deps.logger, state.taskIndex);
    this.workers = state.workers;
    // Named after the process, like the state client and the Redis consumer's, so CLIENT LIST tells one worker's connections apart.
    this.subscriber = new Subscriber(deps.stateRedisUrl, `triage-worker:subscriber:${process.pid}`);
    this.pause = new PauseWatch(state.pauses, this.subscriber, () => this.consumer?.nudge());
    this.control = new RemoteControl({
      queues: settings.queues,
      concurrency: () => this.record.concurrency,
      resize: (n) => {
        this.consumer?.resize(n);
        this.record.concurrency = n;
        void this.beat('worker.heartbeat').catch(() => {});
      },
      nudge: () => this.consumer?.nudge(),
      addQueue: async (queue) => {
        // Laid out as the broker knows it (configuration or discovery), as at start.
        if (!(await deps.broker.getQueue(queue))) throw new Error(`queue ${queue} does not exist on broker ${settings.broker}`);
        if (!this.consumer) throw new Error('the worker is not consuming yet');
        await this.consumer.addQueue(queue);
      },
      shutdown: () => (deps.onShutdown ?? (() => void this.stop()))(),
    });
    this.revokes = new RevokeWatch(state.revokes, this.subscriber);
    const now = new Date().toISOString();
    const lanes = Object.fromEntries(settings.queues.flatMap((q) => (deps.groupLanes?.[q] ? [[q, [...deps.groupLanes[q]]]] : [])));
    this.record = {
      id: this.id,
      name: settings.name,
      hostname: hostname(),
      pid: process.pid,
      broker: settings.broker,
      queues: [...settings.queues],
      ...(Object.keys(lanes).length > 0 ? { lanes } : {}),
      concurrency: settings.concurrency,
      prefetch: 1,
      active: 0,
      processed: 0,
      failed: 0,
      paused: false,
      pausedQueues: [],
      state: 'online',
      startedAt: now,
      lastHeartbeatAt: now,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    };
  }

  async start(): Promise<void> {
    const { settings, logger } = this.deps;
    // Pause state first: a queue paused before we start must not be taken from at all.
    await this.pause.start();
    // Revokes too: one made while no worker ran must hold for the first delivery.
    await this.revokes.start();
    this.consumer = await this.deps.broker.consume({
      queues: settings.queues,
      concurrency: settings.concurrency,
      statePrefix: this.deps.state.prefix,
      // A consumer cancelled by remote control is taken from no more, like a paused queue.
      isPaused: (queue) => this.control.isCancelled(queue) || this.isPaused(queue),
      onDelivery: (delivery) => this.run(delivery),
      logger,
    });
    this.stopMailbox = await listenForWorkerCommands(this.deps.state.redis, this.subscriber, this.deps.state.prefix, this.id, (method, args) =>
      this.control.handle(method, args),
    );
    await this.beat('worker.online');
    this.heartbeat = setInterval(() => void this.beat('worker.heartbeat').catch(() => {}), HEARTBEAT_INTERVAL_MS);
    logger.info({ worker: this.id, broker: settings.broker, queues: settings.queues, concurrency: settings.concurrency }, 'worker online');
  }

  /** Graceful: nothing new, in-flight finish and are settled, then offline. */
  async stop(): Promise<void> {
    this.record.state = 'stopping';
    await this.beat('worker.heartbeat').catch(() => {});
    await this.consumer?.stop();
    await this.recorder.drain();
    await this.offline();
  }

  /** Forced: connections dropped now; unsettled messages return to the broker. */
  async kill(): Promise<void> {
    await this.consumer?.kill();
    await this.offline().catch(() => {});
  }

  private async offline(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.stopMailbox?.();
    await this.pause.close();
    await this.revokes.close();
    this.subscriber.close();
    await this.workers.remove(this.id);
    await this.events.append({ type: 'worker.offline', at: new Date().toISOString(), worker: this.id, broker: this.deps.settings.broker, processed: this.record.processed, failed: this.record.failed });
    this.deps.logger.info({ worker: this.id, processed: this.record.processed }, 'worker offline');
  }

  private async run(delivery: Delivery): Promise<void> {
    this.record.active += 1;
    let finished = () => {};
    try {
      await this.control.admit(delivery);
      finished = this.control.started(delivery);
      const outcome = await execute(delivery, {
        broker: this.deps.settings.broker,
        worker: this.id,
        recorder: this.recorder,
        backoff: { baseMs: this.deps.settings.retryBaseMs, maxMs: this.deps.settings.retryMaxMs },
        durationScale: this.deps.settings.durationScale,
        revokes: this.revokes,
        logger: this.deps.logger,
        timeLimits: (task) => this.control.timeLimitsFor(task),
      });
      if (outcome === 'succeeded') this.record.processed += 1;
      else if (outcome === 'retried' || outcome === 'dead') this.record.failed += 1;
    } catch (error) {
      this.deps.logger.error({ err: describeError(error), queue: delivery.queue }, 'task bookkeeping failed');
      throw error;
    } finally {
      finished();
      this.record.active -= 1;
    }
  }

  private isPaused(queue: string): boolean {
    const broker = this.deps.settings.broker;
    return this.pause.isPaused(broker, queue) || (this.deps.laneGroups?.[queue] ?? []).some((group) => this.pause.isPaused(broker, group));
  }

  private async beat(type: 'worker.online' | 'worker.heartbeat'): Promise<void> {
    const { settings } = this.deps;
    this.record.lastHeartbeatAt = new Date().toISOString();
    Object.assign(this.record, this.control.snapshot(), { queues: this.control.consumedQueues() });
    const queues = this.control.allQueues();
    this.record.pausedQueues = queues.filter((q) => this.isPaused(q));
    this.record.paused = this.record.pausedQueues.length === queues.length;
    await this.workers.put(this.record);
    await this.events.append({ type, at: this.record.lastHeartbeatAt, worker: this.id, broker: settings.broker, active: this.record.active, processed: this.record.processed });
  }
}
