import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { rabbitVhost, type RabbitBrokerConfig, type RabbitQueueConfig } from './config';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';
import { DEFAULT_RABBIT_MAX_PRIORITY } from '@/lib/shared/priority';
import type { BrokerHealth, MessagePage, Queue } from '@/lib/shared/types';
import type { BrokerCapabilities, BrowseOptions, ConsumeOptions, ConsumerHandle, EnqueueItem, QueueBroker } from '../types';
import { browseQueue, decodeCursor } from './browse';
import { RABBIT_CAPABILITIES } from './capabilities';
import { RabbitConnection, silentLogger, withTimeout, type ConnectionState, type Logger } from './connection';
import { ManagementClient, type QueueRecord } from './management';
import { publishTasks } from './publish';
import { assertReadable, assertUsable, isInternalQueue, maxPriorityOf, queueView, reservedQueueReason } from './queue-view';
import { checkQueue, declareTopology, ensureQueue, type QueueTopology } from './topology';
import { RabbitControl } from './control/rabbitmq-control';
import { consumeRabbit } from './consume';

export interface RabbitBrokerOptions {
  logger?: Logger;
  /** RabbitMQ `connection_name` of this adapter's connection; unique per instance by default. */
  connectionName?: string;
  /** Reconnect backoff: first delay, doubling up to the cap (defaults 250 ms, 10 s). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

const HINT = 'start it with `npm run services` (or `rabbitmq-server -detached`); the dashboard keeps working on the other broker';
const MANAGEMENT_HINT =
  'enable the management plugin with `rabbitmq-plugins enable rabbitmq_management` (HTTP on port 15672) and check RABBITMQ_MANAGEMENT_URL';
const BLOCKED_HINT = 'RabbitMQ blocks publishers while a memory or disk alarm is raised; see `rabbitmq-diagnostics alarms`';
// Health is polled by dashboards and load balancers: answer quickly or report down.
const HEALTH_TIMEOUT_MS = 2000;
// Queue arguments cannot change without deleting the queue; a re-declare with another
// x-max-priority within this window publishes with the old mapping until it expires.
const PUBLISH_TARGET_TTL_MS = 5000;

/**
 * RabbitMQ behind queue semantics: classic queues with `x-max-priority`, where the
 * broker delivers the highest AMQP priority first (Triage priority p is written as 9 − p
 * for x-max-priority 10, see lib/shared/priority.ts).
 *
 * Two channels to the broker, each for what only it can do:
 * - AMQP (amqplib, one connection that reconnects by itself): publish with confirms,
 *   browse by fetch-and-requeue, exact counts, declaring configured queues;
 * - the management HTTP API: discovery, per-priority depth, rates, head message age.
 *   Its statistics refresh every ~5 s, so listed counts can lag that much. `getQueue`
 *   keeps `depth` equal to the sum of `byPriority` (one statistics sample) and adds the
 *   exact AMQP count as `details.exactDepth`, flagging `details.statsLagging` when they
 *   differ; `consumers` there is the exact AMQP count.
 *
 * If the management API is down, `listQueues`/`getQueue` throw UNAVAILABLE and health
 * says so; enqueue and browse keep working over AMQP.
 */
export class RabbitBroker implements QueueBroker {
  readonly kind = 'rabbitmq' as const;
  readonly capabilities: BrokerCapabilities = RABBIT_CAPABILITIES;
  readonly id: string;
  /** The `connection_name` RabbitMQ shows for this adapter's connection. */
  readonly connectionName: string;
  private readonly connection: RabbitConnection;
  private readonly management: ManagementClient;
  private readonly configured: Map<string, RabbitQueueConfig>;
  private readonly logger: Logger;
  private topology = new Map<string, QueueTopology>();
  /** Queues recently seen to exist, with their x-max-priority. */
  private readonly publishTargets = new Map<string, { maxPriority: number; at: number }>();
  private controlImpl: RabbitControl | null = null;

  constructor(
    readonly config: RabbitBrokerConfig,
    options: RabbitBrokerOptions = {},
  ) {
    this.id = config.id;
    this.logger = options.logger ?? silentLogger;
    this.configured = new Map(config.queues.map((q) => [q.name, q]));
    this.connectionName = options.connectionName ?? `triage:${config.id}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const vhost = rabbitVhost(config);
    this.management = new ManagementClient(config.managementUrl, vhost);
    this.connection = new RabbitConnection({
      url: config.url,
      vhost,
      connectionName: this.connectionName,
      logger: this.logger,
      ...options.reconnect,
      // Re-run on every reconnect: the broker may have restarted without its queues.
      onConnect: async (channels) => {
        this.topology = await declareTopology(channels, this.management, config.queues, this.logger);
      },
    });
  }

  /** The AMQP connection's state, for diagnostics. */
  get connectionState(): ConnectionState {
    return this.connection.state;
  }

  connect(): Promise<void> {
    return this.connection.connect();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  async health(): Promise<BrokerHealth> {
    const base = { id: this.id, kind: this.kind };
    try {
      if (this.connection.state !== 'connected') {
        return { ...base, ok: false, latencyMs: null, version: this.connection.serverVersion, error: this.connection.unavailableReason(), hint: HINT };
      }
      const ping = async () => {
        const started = performance.now();
        await withTimeout(this.connection.withChannel(async () => {}), HEALTH_TIMEOUT_MS, `RabbitMQ did not answer within ${HEALTH_TIMEOUT_MS} ms`);
        return Math.round((performance.now() - started) * 100) / 100;
      };
      const [amqp, overview] = await Promise.allSettled([ping(), this.management.overview(HEALTH_TIMEOUT_MS)]);
      const version = (overview.status === 'fulfilled' ? overview.value.rabbitmqVersion : null) ?? this.connection.serverVersion;
      if (amqp.status === 'rejected') {
        return { ...base, ok: false, latencyMs: null, version, error: describeError(amqp.reason), hint: HINT };
      }
      const latencyMs = amqp.value;
      if (this.connection.blockedReason) {
        return { ...base, ok: false, latencyMs, version, error: `RabbitMQ is blocking publishers: ${this.connection.blockedReason}`, hint: BLOCKED_HINT };
      }
      if (overview.status === 'rejected') {
        // AMQP works, but without the management API there is no queue list or
        // per-priority depth: the dashboard cannot do its main job, so not ok.
        const error = `${describeError(overview.reason)}; listing queues and per-priority depth need it (enqueue and browse still work)`;
        return { ...base, ok: false, latencyMs, version, error, hint: MANAGEMENT_HINT };
      }
      return { ...base, ok: true, latencyMs, version };
    } catch (error) {
      return { ...base, ok: false, latencyMs: null, version: this.connection.serverVersion, error: describeError(error), hint: HINT };
    }
  }

  /** Configured queues first (in configuration order), then discovered ones by name. */
  async listQueues(): Promise<Queue[]> {
    const records = await this.management.listQueues();
    const byName = new Map(records.map((r) => [r.name, r]));
    const now = Date.now();
    const queues = this.config.queues.map((q) => this.view(q.name, byName.get(q.name) ?? null, now));
    if (this.config.discover) {
      for (const record of [...records].sort((a, b) => a.name.localeCompare(b.name))) {
        if (this.configured.has(record.name) || isInternalQueue(record)) continue;
        queues.push(this.view(record.name, record, now));
      }
    }
    return queues;
  }

  reservedQueueName(name: string): string | null {
    return reservedQueueReason(name);
  }

  async getQueue(name: string): Promise<Queue | null> {
    if (!this.visible(name)) return null;
    const [record, exact] = await Promise.all([this.management.getQueue(name), this.exactCounts(name)]);
    if (!record && !this.configured.has(name)) return null;
    const queue = this.view(name, record, Date.now());
    if (record && exact) {
      queue.consumers = exact.consumerCount;
      queue.details.exactDepth = exact.messageCount;
      queue.details.statsLagging = exact.messageCount !== queue.depth;
      if (exact.messageCount !== queue.depth) {
        queue.details.statsNote = `RabbitMQ's statistics (refreshed every ~5 s) show ${queue.depth} ready; the exact count right now is ${exact.messageCount}`;
      }
    }
    return queue;
  }

  async enqueue(queue: string, items: readonly EnqueueItem[]): Promise<string[]> {
    const cached = this.publishTargets.has(queue);
    const maxPriority = await this.publishTarget(queue);
    if (items.length === 0) return [];
    try {
      return await publishTasks(this.connection, queue, items, maxPriority);
    } catch (error) {
      this.publishTargets.delete(queue);
      // Deleted since it was last checked and nothing was taken: check again (a configured
      // queue is declared anew) and publish once more, as an uncached call would have.
      const nothingTaken = isTriageError(error) && error.code === 'NOT_FOUND' && (error.details as { confirmed?: number } | undefined)?.confirmed === 0;
      if (cached && nothingTaken) return publishTasks(this.connection, queue, items, await this.publishTarget(queue));
      throw error;
    }
  }

  /**
   * The x-max-priority to publish with. Checking the queue costs a channel and a management
   * API call, far more than a publish, so a queue seen within PUBLISH_TARGET_TTL_MS is not
   * checked again: a queue deleted since is caught by the mandatory publish (NOT_FOUND).
   */
  private async publishTarget(queue: string): Promise<number> {
    const known = this.publishTargets.get(queue);
    if (known && Date.now() - known.at < PUBLISH_TARGET_TTL_MS) return known.maxPriority;
    const maxPriority = await this.requireQueue(queue, true);
    if (maxPriority === null) throw new TriageError('NOT_FOUND', `queue ${queue} does not exist on broker ${this.id}`);
    this.publishTargets.set(queue, { maxPriority, at: Date.now() });
    return maxPriority;
  }

  /** Control primitives (lib/brokers/rabbitmq/control): get → confirmed copy → ack. */
  get control(): RabbitControl {
    this.controlImpl ??= new RabbitControl({
      brokerId: this.id,
      connection: this.connection,
      management: this.management,
      isolate: (work) => this.connection.isolated(work),
    });
    return this.controlImpl;
  }

  async browse(queue: string, options: BrowseOptions): Promise<MessagePage> {
    decodeCursor(options.cursor);
    const maxPriority = await this.requireQueue(queue, false, 'browse');
    // A configured queue that does not exist yet is empty, not unknown.
    if (maxPriority === null) return { messages: [], nextCursor: null, requeued: false, scanned: 0 };
    return this.connection.isolated((channels) => browseQueue(channels, queue, maxPriority, options));
  }

  /** The bundled worker's consumer (lib/brokers/rabbitmq/consume.ts) on its own connection. */
  consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    return consumeRabbit({ brokerId: this.id, config: this.config, maxPriorityFor: (name) => this.maxPriorityFor(name) }, options);
  }

  // -------------------------------------------------------------------------

  private visible(name: string): boolean {
    return name.length > 0 && (this.configured.has(name) || this.config.discover);
  }

  private view(name: string, record: QueueRecord | null, nowMs: number): Queue {
    return queueView({
      brokerId: this.id,
      name,
      record,
      config: this.configured.get(name),
      topologyWarnings: this.topology.get(name)?.warnings,
      nowMs,
    });
  }

  /** Exact ready and consumer counts over AMQP; null when not connected or missing. */
  private async exactCounts(name: string): Promise<{ messageCount: number; consumerCount: number } | null> {
    if (this.connection.state !== 'connected') return null;
    try {
      return await checkQueue(this.connection, name);
    } catch {
      return null;
    }
  }

  /**
   * Checks over AMQP (authoritative, current) that the queue exists and returns its
   * x-max-priority. A configured queue deleted since the last connect is declared again
   * when `declare`, else reported as null; an unknown queue is NOT_FOUND.
   */
  private async requireQueue(name: string, declare: boolean, purpose?: 'browse'): Promise<number | null> {
    if (!this.visible(name)) throw new TriageError('NOT_FOUND', `queue ${name} is not known on broker ${this.id}`);
    assertUsable(name);
    const configured = this.configured.get(name);
    if (!(await checkQueue(this.connection, name))) {
      if (!configured) throw new TriageError('NOT_FOUND', `queue ${name} does not exist on broker ${this.id}`);
      if (!declare) return null;
      const result = await ensureQueue(this.connection, this.management, configured, this.logger);
      this.topology.set(name, result);
      if (!(await checkQueue(this.connection, name))) {
        throw new TriageError('UNAVAILABLE', `queue ${name} is missing and could not be declared: ${result.warnings.join('; ')}`);
      }
    }
    return this.maxPriorityFor(name, purpose);
  }

  /**
   * The queue's real x-max-priority (what the broker orders by), from the management
   * API; without it, what the last topology run saw, then the configuration. For a
   * browse, a stream is refused (422): it has no basic.get.
   */
  private async maxPriorityFor(name: string, purpose?: 'browse'): Promise<number> {
    let record: QueueRecord | null = null;
    try {
      record = await this.management.getQueue(name);
    } catch (error) {
      this.logger.warn({ queue: name, err: describeError(error) }, 'rabbitmq management API unavailable; assuming the configured x-max-priority');
    }
    if (record) {
      if (purpose === 'browse') assertReadable(record);
      return record.type === 'classic' ? maxPriorityOf(record.arguments) : 0;
    }
    const known = this.topology.get(name)?.actualArguments;
    if (known) return maxPriorityOf(known);
    return this.configured.get(name)?.maxPriority ?? DEFAULT_RABBIT_MAX_PRIORITY;
  }
}
