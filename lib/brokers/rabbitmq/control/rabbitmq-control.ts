import { randomUUID } from 'node:crypto';
import type { Channel, Message as AmqpMessage, Options } from 'amqplib';
import { TriageError, isTriageError } from '@/lib/shared/errors';
import { DEFAULT_RABBIT_MAX_PRIORITY, fromRabbitPriority, toRabbitPriority } from '@/lib/shared/priority';
import type {
  ArrivalRead,
  BrokerControl,
  ControlCapabilities,
  ControlOptions,
  ControlProgress,
  ControlResult,
  FindWaitingOptions,
  MessageSelector,
  PidboxCommand,
  PutItem,
  RemoteCommand,
  RemoteReplies,
  TargetOptions,
  TransferMessage,
  TransferSink,
  WaitingSearch,
} from '../../types';
import { relocatedPriority, taskPriorityOf, type RelocateTarget } from '../../types';
import { withTimeout, type ChannelSource } from '../connection';
import type { ManagementClient, QueueRecord } from '../management';
import { drained } from '../publish';
import { assertReadable, assertUsable, maxPriorityOf } from '../queue-view';
import { checkQueue } from '../topology';
import { matchesSelector, wholeLevelsSelected } from '../../browse-filter';
import { batchSizeOf } from '../../control-batch';
import { findWaitingInQueue } from './find-waiting';
import { openQueueReader } from './queue-reader';
import { awaitSettlements } from './settle-barrier';
import { fromAmqp, toAmqp } from './transfer';

/**
 * Control primitives on RabbitMQ, where messages are immutable: a move is a read with
 * manual ack (see queue-reader.ts) → publish a copy on a confirm channel → ack the original only
 * after the broker confirmed the copy. A process killed in between leaves the original
 * unacked, so RabbitMQ requeues it: the message is then in both places (at-least-once),
 * never in neither.
 *
 * Messages that are read but not selected stay unacked on the reading channel until the
 * run ends; closing the channel then puts them back at their original positions (the
 * same mechanism browsing relies on, and why it is not basic.nack: see browse.ts). Meanwhile consumers cannot see them;
 * a run never reads more than the queue held when it started, so producers cannot keep
 * it going forever.
 *
 * Reprioritizing inside one queue must never read its own copies again, so it goes
 * through a holding queue `<queue>.triage-hold` (same x-max-priority): selected messages
 * are copied there with their new priority, then everything in it is copied back. The
 * holding queue's name is fixed, so a run killed half-way is finished by the next run,
 * which first empties a leftover holding queue into the source.
 *
 * Every copy carries the task's own priority in its `triage_priority` header beside the
 * AMQP priority, so a queue that merges levels (x-max-priority 4) loses none. RabbitMQ only
 * appends: messages put back (a restore) queue behind those of their priority that
 * arrived meanwhile (`frontInsert: false`).
 */

// basic.qos prefetch-count is an AMQP short.
const MAX_PREFETCH = 65_535;
// A broker that accepted the bytes but never confirms (disk alarm) must not hang an operation forever.
const CONFIRM_TIMEOUT_MS = 30_000;
/** RabbitMQ argument keys that can make a queue drop or expire what Triage moves into it. */
const LOSSY_ARGUMENTS = ['x-max-length', 'x-max-length-bytes', 'x-message-ttl', 'x-expires'];

export interface RabbitControlDeps {
  brokerId: string;
  connection: ChannelSource;
  management: ManagementClient;
  /** Runs a whole scan on a connection of its own, so no other request's connection error can end it half-way. */
  isolate?: <T>(work: (connection: ChannelSource) => Promise<T>) => Promise<T>;
}

type Decide = (message: TransferMessage) => boolean;
type Writer = (batch: readonly TransferMessage[]) => Promise<void>;

export function holdQueueName(queue: string): string {
  return `${queue}.triage-hold`;
}

export class RabbitControl implements BrokerControl {
  readonly capabilities: ControlCapabilities = { atomicMove: false, nonDestructiveScan: false, remoteControl: true, frontInsert: false, arrivals: false };

  /**
   * An operation's instance (on its own connection) asks the management API about a queue
   * once: its type, arguments and per-priority depth serve the whole run. The shared instance
   * asks every time, since its answers would go stale.
   */
  private readonly records = new Map<string, Promise<QueueRecord | null>>();

  constructor(private readonly deps: RabbitControlDeps) {}

  private record(queue: string): Promise<QueueRecord | null> {
    if (this.deps.isolate) return this.deps.management.getQueue(queue);
    let record = this.records.get(queue);
    if (!record) {
      record = this.deps.management.getQueue(queue);
      // Neither a failed read nor "not listed yet" (the API lags a fresh declaration) is kept.
      record.then(
        (found) => found === null && this.records.delete(queue),
        () => this.records.delete(queue),
      );
      this.records.set(queue, record);
    }
    return record;
  }

  async memberQueues(queue: string): Promise<string[]> {
    await this.maxPriority(queue);
    return [queue];
  }

  // A queue's messages can only be read by taking them: a rule loop sweeping it every second
  // would hold the whole backlog away from the workers and mark it all redelivered.
  readArrivals(): Promise<ArrivalRead> {
    return Promise.reject(arrivalsUnsupported(this.deps.brokerId));
  }

  relocateArrivals(): Promise<{ moved: number; left: never[] }> {
    return Promise.reject(arrivalsUnsupported(this.deps.brokerId));
  }

  removeArrivals(): Promise<number> {
    return Promise.reject(arrivalsUnsupported(this.deps.brokerId));
  }

  async findWaiting(queue: string, idPrefix: string, options: FindWaitingOptions): Promise<WaitingSearch> {
    const max = await this.maxPriority(queue);
    return findWaitingInQueue(this.deps.connection, this.deps.brokerId, queue, max, idPrefix, options);
  }

  async prepareTarget(queue: string, options: TargetOptions = {}): Promise<void> {
    assertUsable(queue);
    const record = await this.deps.management.getQueue(queue);
    if (record) {
      assertCompatible(record);
      return;
    }
    if (!options.create) throw new TriageError('NOT_FOUND', `queue ${queue} does not exist on broker ${this.deps.brokerId}`);
    const like = options.like ? await this.deps.management.getQueue(options.like) : null;
    const max = like ? (like.type === 'classic' ? maxPriorityOf(like.arguments) : 0) : DEFAULT_RABBIT_MAX_PRIORITY;
    await this.declare(queue, max);
  }

  async relocate(
    queue: string,
    selector: MessageSelector,
    target: RelocateTarget,
    options: ControlOptions = {},
  ): Promise<ControlResult> {
    if (this.deps.isolate) return this.deps.isolate((connection) => this.onConnection(connection).relocate(queue, selector, target, options));
    const sourceMax = await this.maxPriority(queue);
    if (target.queue !== queue) {
      const targetMax = await this.maxPriority(target.queue);
      return this.withPublisher((publish) =>
        this.scan(queue, sourceMax, selector, options, () => true, (batch) =>
          publish(target.queue, batch.map((m) => toAmqp(m, relocatedPriority(target, m.id, taskPriorityOf(m)), targetMax))),
        ),
      );
    }
    if (target.priority === null && !target.priorities) throw new TriageError('CONFLICT', `moving queue ${queue} onto itself changes nothing`);
    if (sourceMax === 0) throw new TriageError('UNPROCESSABLE', `queue ${queue} was declared without x-max-priority: RabbitMQ ignores priority there`);
    const priorityOf = (m: TransferMessage) => relocatedPriority(target, m.id, taskPriorityOf(m));
    const decide: Decide = (m) => m.level !== fromRabbitPriority(toRabbitPriority(priorityOf(m), sourceMax), sourceMax);
    if (options.dryRun) return this.scan(queue, sourceMax, selector, options, decide, null);

    const hold = holdQueueName(queue);
    await this.recoverHold(queue);
    await this.declare(hold, sourceMax);
    const result = await this.withPublisher((publish) =>
      this.scan(queue, sourceMax, selector, options, decide, (batch) => publish(hold, batch.map((m) => toAmqp(m, priorityOf(m), sourceMax)))),
    );
    await this.recoverHold(queue);
    return result;
  }

  extract(queue: string, selector: MessageSelector, sink: TransferSink | null, options: ControlOptions = {}): Promise<ControlResult> {
    if (this.deps.isolate) return this.deps.isolate((connection) => this.onConnection(connection).extract(queue, selector, sink, options));
    return this.maxPriority(queue).then((max) =>
      // Without a sink the selection is simply deleted (acked).
      this.scan(queue, max, selector, options, () => true, sink ? (batch) => sink.write(batch) : async () => {}),
    );
  }

  async putMessages(queue: string, items: readonly PutItem[]): Promise<number> {
    if (items.length === 0) return 0;
    const max = await this.maxPriority(queue);
    await this.withPublisher((publish) => publish(queue, items.map((i) => toAmqp(i.message, i.priority, max))));
    return items.length;
  }

  async broadcast(method: string, args: Record<string, unknown>, destination?: readonly string[]): Promise<boolean> {
    if (!(await this.mailboxExists())) return false;
    await this.deps.connection.withChannel(async (ch) => publishCommand(ch, { method, arguments: args, destination: destination ?? null }));
    return true;
  }

  /**
   * Request/reply the way `celery inspect` does it: an exclusive reply queue
   * `<oid>.reply.celery.pidbox` bound with routing key `<oid>` to the `reply.celery.pidbox`
   * direct exchange (declared exactly as Celery declares it: transient, not auto-delete),
   * then each command with its ticket and `reply_to`. A fanout publish does not say how many
   * workers got it, but each worker binds its own pidbox queue to the mailbox: once that many
   * have answered every command, waiting stops; without the count (management API down),
   * replies are collected for the whole `timeoutMs`.
   */
  async inspect(commands: readonly RemoteCommand[], timeoutMs: number): Promise<RemoteReplies[]> {
    const replies: RemoteReplies[] = commands.map(() => new Map());
    if (commands.length === 0 || !(await this.mailboxExists())) return replies;
    const oid = randomUUID();
    const replyQueue = `${oid}.${REPLY_EXCHANGE}`;
    const tickets: string[] = commands.map(() => randomUUID());
    const workers = await this.deps.management.bindingCount(MAILBOX).catch(() => null);
    // Only a command's destination (when named) acts and answers.
    const expected = commands.map((c) => (c.destination ? Math.min(c.destination.length, workers ?? c.destination.length) : workers));
    let answered!: () => void;
    const allAnswered = new Promise<void>((resolve) => (answered = resolve));
    await this.deps.connection.withChannel(async (ch) => {
      await ch.assertExchange(REPLY_EXCHANGE, 'direct', { durable: false, autoDelete: false });
      await ch.assertQueue(replyQueue, { exclusive: true, autoDelete: true, durable: false });
      await ch.bindQueue(replyQueue, REPLY_EXCHANGE, oid);
      await ch.consume(
        replyQueue,
        (message) => {
          if (!message) return;
          const index = tickets.indexOf(String(message.properties.headers?.ticket ?? ''));
          const body = parseJsonObject(message.content);
          if (index >= 0 && body) for (const [host, value] of Object.entries(body)) replies[index]!.set(host, value);
          if (replies.every((r, i) => expected[i] !== null && r.size >= expected[i]!)) answered();
        },
        { noAck: true },
      );
      commands.forEach((command, i) =>
        publishCommand(ch, {
          method: command.method,
          arguments: command.args ?? {},
          destination: command.destination ?? null,
          ticket: tickets[i],
          reply_to: { exchange: REPLY_EXCHANGE, routing_key: oid },
        }),
      );
      if (expected.every((n) => n === 0)) answered();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([allAnswered, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    });
    return replies;
  }

  async broadcastControl(command: Omit<RemoteCommand, 'destination'>, destination: readonly string[], timeoutMs: number): Promise<RemoteReplies> {
    const [replies] = await this.inspect([{ ...command, destination }], timeoutMs);
    return replies!;
  }

  /** No Celery worker ever declared the mailbox: nobody to tell (publishing to a missing exchange would close the channel with 404). */
  private async mailboxExists(): Promise<boolean> {
    try {
      await this.deps.connection.withChannel((ch) => ch.checkExchange(MAILBOX));
      return true;
    } catch (error) {
      if (isTriageError(error) && error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }

  // -------------------------------------------------------------------------

  /** The same primitives on one given connection (an operation's own). */
  private onConnection(connection: ChannelSource): RabbitControl {
    return new RabbitControl({ brokerId: this.deps.brokerId, connection, management: this.deps.management });
  }

  /** The queue's x-max-priority (0: none); NOT_FOUND when it does not exist; 422 for a stream. */
  private async maxPriority(queue: string): Promise<number> {
    assertUsable(queue);
    const record = await this.record(queue);
    if (!record) {
      // The management API can lag a fresh declaration by a moment; AMQP is authoritative.
      if (await checkQueue(this.deps.connection, queue)) return DEFAULT_RABBIT_MAX_PRIORITY;
      throw new TriageError('NOT_FOUND', `queue ${queue} does not exist on broker ${this.deps.brokerId}`);
    }
    assertReadable(record);
    return record.type === 'classic' ? maxPriorityOf(record.arguments) : 0;
  }

  private async declare(queue: string, maxPriority: number): Promise<void> {
    const args = maxPriority > 0 ? { 'x-max-priority': maxPriority } : {};
    await this.deps.connection.withChannel((ch) => ch.assertQueue(queue, { durable: true, autoDelete: false, exclusive: false, arguments: args }));
  }

  /** Moves whatever a killed reprioritize left in the holding queue back into `queue`, then drops it. */
  private async recoverHold(queue: string): Promise<void> {
    const hold = holdQueueName(queue);
    const present = await checkQueue(this.deps.connection, hold);
    if (!present) return;
    const holdMax = await this.maxPriority(hold);
    await this.withPublisher((publish) =>
      this.scan(hold, holdMax, {}, {}, () => true, (batch) =>
        // The copies already carry their new priority (header and wire): keep it.
        publish(queue, batch.map((m) => toAmqp(m, taskPriorityOf(m), holdMax))),
      ),
    );
    const left = await checkQueue(this.deps.connection, hold);
    if (left && left.messageCount === 0) {
      await this.deps.connection.withChannel((ch) => ch.deleteQueue(hold, { ifEmpty: true })).catch(() => {});
    }
  }

  /**
   * A dry run that selects by level only, counted without reading a message: everything is
   * the exact AMQP depth; some levels are the management API's per-priority depth
   * (`priority_lengths`, a statistics sample up to ~5 s old, hence `estimate`). Null when
   * RabbitMQ reports no split for the queue (no x-max-priority, stats not in yet, API down):
   * the caller then reads the queue.
   */
  private async countByLevel(queue: string, maxPriority: number, selector: MessageSelector, exactDepth: number): Promise<ControlResult | null> {
    if (!selector.priorities) return { matched: exactDepth, moved: 0 };
    if (maxPriority === 0) return null;
    const record = await this.record(queue).catch(() => null);
    if (!record?.priorityLengths) return null;
    // The caller made sure the priorities take whole wire levels.
    const wires = wholeLevelsSelected(selector, (priority) => toRabbitPriority(priority, maxPriority));
    let matched = 0;
    for (const [wire, count] of Object.entries(record.priorityLengths)) {
      if (count > 0 && wires?.has(Number(wire))) matched += count;
    }
    return { matched, moved: 0, estimate: true };
  }

  private withPublisher<T>(work: (publish: (queue: string, items: { content: Buffer; options: Options.Publish }[]) => Promise<void>) => Promise<T>): Promise<T> {
    return this.deps.connection.withConfirmChannel(async (channel) => {
      const returned: string[] = [];
      channel.on('return', (message: AmqpMessage) => {
        returned.push(typeof message.properties.correlationId === 'string' ? message.properties.correlationId : 'unknown');
      });
      const publish = async (queue: string, items: { content: Buffer; options: Options.Publish }[]) => {
        for (const item of items) {
          if (!channel.publish('', queue, item.content, { ...item.options, mandatory: true })) await drained(channel);
        }
        await withTimeout(channel.waitForConfirms(), CONFIRM_TIMEOUT_MS, `RabbitMQ did not confirm within ${CONFIRM_TIMEOUT_MS / 1000} s`);
        // basic.return precedes the confirm of the same message.
        if (returned.length > 0) {
          throw new TriageError('NOT_FOUND', `queue ${queue} did not take ${returned.length} message(s) (deleted meanwhile?)`);
        }
      };
      return work(publish);
    });
  }

  /**
   * Reads at most the queue's starting depth (queue-reader.ts), in batches; the selected
   * messages for which `decide` holds go to `write` and are acked once it resolved.
   * Everything else goes back when the run's channel closes.
   */
  private async scan(
    queue: string,
    maxPriority: number,
    selector: MessageSelector,
    options: ControlOptions,
    decide: Decide,
    write: Writer | null,
  ): Promise<ControlResult> {
    const start = await checkQueue(this.deps.connection, queue);
    if (!start) throw new TriageError('NOT_FOUND', `queue ${queue} does not exist on broker ${this.deps.brokerId}`);
    if (options.dryRun && wholeLevelsSelected(selector, (priority) => toRabbitPriority(priority, maxPriority || DEFAULT_RABBIT_MAX_PRIORITY))) {
      const counted = await this.countByLevel(queue, maxPriority, selector, start.messageCount);
      if (counted) {
        options.onProgress?.({ scanned: 0, matched: counted.matched, moved: 0 });
        return counted;
      }
    }
    // Only classic queues apply acks before the channel closes; unknown (API down) is treated as a quorum queue.
    const settlesThroughLog = (await this.record(queue).catch(() => null))?.type !== 'classic';
    const batchSize = batchSizeOf(options);
    const ids = selector.ids ? new Set(selector.ids) : null;
    const found = new Set<string>();
    const counts: ControlProgress = { scanned: 0, matched: 0, moved: 0 };
    // Everything read and not acked goes back where it was when this channel closes (32 s
    // for 10,000 with basic.nack on RabbitMQ 3.10, which stalled the queue; see browse.ts).
    await this.deps.connection.withChannel(async (channel: Channel) => {
      // One batch is written while the next is read: the confirm round trip and the gets
      // overlap instead of taking turns. Writes stay one at a time, so order is kept, and
      // a batch is acked only after its own write resolved.
      let writing: Promise<void> | null = null;
      let failure: { error: unknown } | null = null;
      const settle = async () => {
        if (writing) await writing;
        writing = null;
        if (failure) throw failure.error;
      };
      const reader = await openQueueReader(channel, queue, {
        budget: start.messageCount,
        // Room for the batch being read, the one being written and the held ones.
        prefetch: Math.min(3 * batchSize, MAX_PREFETCH),
        holdLimit: batchSize,
        readyCount: async () => (await checkQueue(this.deps.connection, queue))?.messageCount ?? 0,
      });
      const writer = options.dryRun ? null : write;
      let exhausted = false;
      const cancelled = () => Boolean(options.dryRun && options.signal?.aborted);
      while (!exhausted && !failure && !cancelled()) {
        const batch: { tag: AmqpMessage; message: TransferMessage }[] = [];
        let read = 0;
        while (read < batchSize && !failure) {
          const got = await reader.read(batchSize - read);
          if (got.length === 0) {
            exhausted = true;
            break;
          }
          read += got.length;
          for (const tag of got) {
            counts.scanned += 1;
            const message = fromAmqp(tag, maxPriority);
            const selected = matchesSelector(message, taskPriorityOf(message), selector, ids);
            if (selected) {
              counts.matched += 1;
              if (message.id && ids) found.add(message.id);
            }
            if (writer && selected && decide(message)) batch.push({ tag, message });
            else reader.hold();
          }
        }
        await settle();
        if (writer && batch.length > 0) {
          const messages = batch.map((b) => b.message);
          // Recorded before the write, so whatever reaches the target was recorded first.
          const recorded = options.record ? options.record(messages.map((m) => ({ id: m.id, priority: taskPriorityOf(m), level: m.level }))) : Promise.resolve();
          writing = recorded.then(() => writer(messages)).then(
            () => {
              for (const b of batch) channel.ack(b.tag);
              counts.moved += batch.length;
              options.onProgress?.({ ...counts });
            },
            // Kept, not thrown here: nobody awaits it until the next batch is read.
            (error: unknown) => {
              failure = { error };
            },
          );
        } else {
          options.onProgress?.({ ...counts });
        }
      }
      await reader.stop();
      const settled = await settle().then(
        () => null,
        (error: unknown) => ({ error }),
      );
      // Also after a failed write: batches acked before it must not come back either. The
      // write's own error is the one to report.
      if (settlesThroughLog && counts.moved > 0) {
        const barrier = awaitSettlements(channel, queue);
        await (settled ? barrier.catch(() => {}) : barrier);
      }
      if (settled) throw settled.error;
    });
    const partial = Boolean(options.dryRun && options.signal?.aborted);
    return { matched: counts.matched, moved: counts.moved, ...(ids ? { foundIds: [...found] } : {}), ...(partial ? { partial } : {}) };
  }
}

const MAILBOX = 'celery.pidbox';
const REPLY_EXCHANGE = 'reply.celery.pidbox';

function publishCommand(ch: Channel, body: PidboxCommand): void {
  const json = JSON.stringify({ destination: null, pattern: null, matcher: null, ...body });
  ch.publish(MAILBOX, '', Buffer.from(json, 'utf8'), {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    // kombu's Mailbox stamps a clock and a 300 s expiry on every command.
    headers: { clock: 1, expires: Date.now() / 1000 + 300 },
    deliveryMode: 1,
  });
}

function parseJsonObject(content: Buffer): Record<string, unknown> | null {
  try {
    const value = JSON.parse(content.toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}


/** A target that would drop, expire or ignore the priority of what moves into it is refused. */
function assertCompatible(record: QueueRecord): void {
  if (record.type !== 'classic') {
    throw new TriageError('UNPROCESSABLE', `queue ${record.name} is a ${record.type} queue: it cannot hold priorities`, { arguments: record.arguments });
  }
  if (maxPriorityOf(record.arguments) === 0) {
    throw new TriageError('UNPROCESSABLE', `queue ${record.name} was declared without x-max-priority: messages moved there would lose their priority`, {
      arguments: record.arguments,
    });
  }
  const lossy = LOSSY_ARGUMENTS.filter((key) => record.arguments[key] !== undefined);
  if (lossy.length > 0) {
    throw new TriageError('UNPROCESSABLE', `queue ${record.name} has ${lossy.join(', ')}: it could drop messages moved there`, {
      arguments: record.arguments,
    });
  }
}

function arrivalsUnsupported(brokerId: string): TriageError {
  return new TriageError('UNSUPPORTED', `broker ${brokerId} cannot read arriving messages without taking them from its consumers (control capability "arrivals")`);
}
