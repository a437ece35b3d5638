import type { BrokerCapabilities, BrokerHealth, BrokerKind, MessagePage, Queue } from '@/lib/shared/types';
import type { TaskSpec } from '@/lib/shared/celery-codec';
import { deadQueueName, isDeadQueue } from '@/lib/shared/parking';

export { deadQueueName, isDeadQueue };
export type { BrokerCapabilities };

export interface EnqueueItem {
  spec: TaskSpec;
  /** Triage priority 0..9 (already validated). */
  priority: number;
}

export interface BrowseOptions {
  /** 1..500 */
  limit: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
  /** Only tasks with these own priorities (Message.taskPriority), whatever level they are stored at. */
  priorities?: Set<number> | null;
  /** Only messages whose task name contains this, ignoring case. */
  task?: string;
  /** Only messages whose id, task name or args/kwargs JSON contain this text. */
  text?: string;
}

/**
 * One broker (Redis with kombu's layout, or RabbitMQ) behind queue semantics. No client
 * type crosses this interface. All methods except `health` may throw `TriageError`
 * (`UNAVAILABLE` when the broker cannot be reached, `NOT_FOUND` for an unknown queue).
 *
 * Priorities are always Triage priorities (0..9, 0 most urgent); the adapter maps them.
 */
export interface QueueBroker {
  readonly id: string;
  readonly kind: BrokerKind;
  readonly capabilities: BrokerCapabilities;

  /** Opens connections; resolves even if the broker is down (the adapter keeps retrying). */
  connect(): Promise<void>;
  /** Closes every connection; pending reconnects stop. */
  close(): Promise<void>;
  /** Never throws: a down broker is `{ ok: false, error }`. */
  health(): Promise<BrokerHealth>;

  /**
   * Every known queue: configured ones (even when empty) plus discovered ones. Cost grows
   * with the number of queues, never with their depth.
   */
  listQueues(): Promise<Queue[]>;
  /** One queue, or null if it is neither configured nor present on the broker. */
  getQueue(name: string): Promise<Queue | null>;
  /**
   * Why `name` can never be a queue here (the broker's internals, Triage's own state), or
   * null. No I/O: the API refuses such a name on every queue route before anything runs.
   */
  reservedQueueName(name: string): string | null;

  /**
   * Publishes Celery protocol v2 messages a real Celery worker accepts. Resolves once the
   * broker has them (Redis: the pipeline replied; RabbitMQ: publisher confirms). Returns
   * the task ids in input order. On failure part-way, some messages may be enqueued.
   */
  enqueue(queue: string, items: readonly EnqueueItem[]): Promise<string[]>;

  /**
   * Waiting messages in the order a strict-priority consumer receives them, decoded.
   * Redis: non-destructive. RabbitMQ: fetch-and-requeue; `requeued: true` in the page.
   */
  browse(queue: string, options: BrowseOptions): Promise<MessagePage>;

  /**
   * Feeds the bundled worker in strict priority order: `concurrency` slots, each holding at
   * most one message (RabbitMQ: prefetch 1 per slot channel; Redis: the most urgent
   * non-empty step list first, taken and recorded in kombu's `unacked` atomically).
   * Resolves once the slots are set up; the handle stops them.
   */
  consume(options: ConsumeOptions): Promise<ConsumerHandle>;

  /** Control primitives (reprioritize, move, drain, purge, retry); see BrokerControl. */
  readonly control: BrokerControl;
}

// ---------------------------------------------------------------------------
// Control (issue 4). The operations in lib/control/ build on these primitives.

/**
 * Which waiting messages an operation takes. Criteria combine with AND; an empty
 * selector (no field set) selects every message. `ids` are Celery task ids: every
 * message carrying one of them is selected, duplicates included.
 */
export interface MessageSelector {
  ids?: readonly string[];
  /** Part of the task name, ignoring case ("generate_report" selects `myapp.tasks.generate_report`). */
  task?: string;
  /**
   * The tasks' own priorities (Message.taskPriority), not the levels they are stored under:
   * on kombu's default steps, [1] selects the priority-1 tasks of the list holding 0..2.
   */
  priorities?: readonly number[];
}

/** Counts so far, reported after every batch. */
export interface ControlProgress {
  /** Messages read from the source. */
  scanned: number;
  /** Of those, selected. */
  matched: number;
  /** Of those, actually moved / removed. */
  moved: number;
}

export interface ControlOptions {
  /** Count what would be selected; change nothing. */
  dryRun?: boolean;
  /** Messages per broker round (Redis: per Lua call; RabbitMQ: per confirm wait). */
  batchSize?: number;
  onProgress?: (progress: ControlProgress) => void;
  /**
   * Honoured by dry runs only: once aborted, reading stops after the current batch and the
   * result says `partial` (at least `matched`). A real run is never cut short half-way.
   */
  signal?: AbortSignal;
  /**
   * Told, batch by batch, which selected messages are about to leave their place (moved to
   * another level or queue, or removed), with where each sat; awaited before the batch
   * moves, so a process killed mid-way has recorded at least what it moved (undo reads it).
   * A message recorded may still be taken by a consumer first and not move. Never called
   * by a dry run. Drivers that move whole lists on the broker without reading them read
   * them when this is set, which makes a bulk move slower.
   */
  record?: (batch: readonly MovedMessage[]) => Promise<void>;
}

/** Where one selected message sat before an operation moved or removed it (ControlOptions.record). */
export interface MovedMessage {
  /** The Celery task id; null when the message cannot be decoded (then it cannot be found again). */
  id: string | null;
  /** The task's own priority (Message.taskPriority) before the move. */
  priority: number;
  /** The Triage level it was queued at. */
  level: number;
}

/** What an operation actually did; `moved` may be fewer than `matched` (consumed meanwhile, or already there). */
export interface ControlResult {
  matched: number;
  moved: number;
  /** Ids of the selected messages per id, when the selector named ids (for "unknown ids"). */
  foundIds?: string[];
  /** A dry run counted from broker statistics (RabbitMQ's per-priority depth, seconds old) instead of reading the queue. */
  estimate?: boolean;
  /** A dry run stopped by its signal before the queue's end: `matched` is a lower bound. */
  partial?: boolean;
}

/**
 * One waiting message lifted out of a broker, broker-neutral. `celery` is null when the
 * message cannot be decoded (it can then only go back to the same broker kind, byte-exact).
 */
export interface TransferMessage {
  id: string | null;
  task: string | null;
  /** The Triage level it was queued at. */
  level: number;
  /**
   * The task's own priority (Message.taskPriority), which a move keeps whatever the
   * layouts. Absent in archives written before it existed: then `level`.
   */
  priority?: number;
  celery: import('@/lib/shared/celery-codec').CeleryMessage | null;
  /**
   * The exact stored form, so a message that only changes place on the same broker kind
   * keeps its bytes. Only the driver of `origin.kind` reads it; everyone else passes it on.
   */
  origin: StoredForm | null;
}

/**
 * A message as one broker kind stores it (Redis: the list element; RabbitMQ: body and
 * properties), JSON-safe (binary as base64) so it survives archives. Opaque outside the
 * driver of `kind`, which wrote it and alone interprets the other fields; a move to another
 * kind ignores it and encodes `TransferMessage.celery` anew.
 */
export interface StoredForm {
  readonly kind: BrokerKind;
}

/** Where `putMessages` appends one message: the back of `priority` in the target queue. */
export interface PutItem {
  message: TransferMessage;
  /** Triage priority in the target (becomes the message's own priority there). */
  priority: number;
}

/** The task's own priority of a lifted message (`level` for archives older than the field). */
export function taskPriorityOf(message: TransferMessage): number {
  return message.priority ?? message.level;
}

/**
 * Where moved messages go in their target lists. `back` (the default): behind what the
 * target holds, FIFO. `front`: ahead of it, in their own order, which is what a restore
 * wants (they were waiting before whatever arrived while they were parked). Only brokers
 * with `ControlCapabilities.frontInsert` honour `front`; others append.
 */
export type InsertAt = 'back' | 'front';

/** Receives each batch before its messages leave the source; must store them durably. */
export interface TransferSink {
  write(batch: readonly TransferMessage[]): Promise<void>;
  /** Messages written but then not removed from the source (a consumer took them first). */
  unwritten?(batch: readonly TransferMessage[]): Promise<void>;
}

export interface TargetOptions {
  /** Create the target when missing (drain's parking queue), like `like` (RabbitMQ: same arguments). */
  create?: boolean;
  like?: string;
}

/** Where `relocate` puts the selection. */
export interface RelocateTarget {
  queue: string;
  priority: number | null;
  at?: InsertAt;
  /** Task id → the priority it takes, overriding `priority` for those ids. */
  priorities?: ReadonlyMap<string, number>;
}

/** The priority one message takes in a relocation: its own entry in `priorities`, else the target's, else its own. */
export function relocatedPriority(target: Pick<RelocateTarget, 'priority' | 'priorities'>, id: string | null, own: number): number {
  return (id !== null ? target.priorities?.get(id) : undefined) ?? target.priority ?? own;
}

export interface ControlCapabilities {
  /** Each batch moves atomically inside the broker (Redis Lua): never in both places. */
  atomicMove: boolean;
  /** Counting a selection (dry run, id check) leaves the queue untouched (no redelivered flag). */
  nonDestructiveScan: boolean;
  /** Celery remote control reaches workers (pidbox). */
  remoteControl: boolean;
  /**
   * Messages can be put ahead of what a queue holds (Redis: RPUSH onto the consuming end).
   * RabbitMQ only appends, so restored messages there queue behind newer ones of their priority.
   */
  frontInsert: boolean;
  /**
   * Messages that arrived since a marker can be read without taking them from consumers
   * (`readArrivals`), which standing rules need. Redis: the lists are read in place. RabbitMQ:
   * false, a queue can only be read by taking its messages (docs/rules.md says why).
   */
  arrivals: boolean;
}

/**
 * Where `readArrivals` stopped: opaque outside the driver that made it, JSON-safe so the rule
 * loop can keep it in the state Redis and a new leader resumes where the last one stopped.
 */
export type ArrivalCursor = string;

/** One message that arrived since a cursor, as the rule loop matches it. */
export interface Arrival {
  id: string | null;
  task: string | null;
  /** The task's own priority (Message.taskPriority). */
  priority: number;
  /** The args and kwargs as JSON, for a rule's text match (like the browse filter's). */
  argsText: string;
  /** Opaque: what `relocateArrivals`/`removeArrivals` need to find it again (Redis: its list and bytes). */
  readonly ref: unknown;
}

export interface ArrivalRead {
  /** Oldest first. */
  arrivals: Arrival[];
  /**
   * The cursor to pass next time, given which of `arrivals` the caller will take away
   * (`leaving`): a marker must be a message that stays, else the next read could not tell
   * old from new.
   */
  next(leaving: ReadonlySet<Arrival>): ArrivalCursor;
}

export interface RemoteCommand {
  method: string;
  args?: Record<string, unknown>;
  /** Hostnames that act on it and answer; absent: every worker. */
  destination?: readonly string[];
}

/** The body of a Celery remote-control command, the same on both brokers (celery-wire.md §5). */
export interface PidboxCommand {
  method: string;
  arguments: Record<string, unknown>;
  /** Hostnames that act on it; null: every worker. */
  destination?: readonly string[] | null;
  ticket?: string;
  reply_to?: { exchange: string; routing_key: string };
}

/** Worker hostname → what it replied to one command. */
export type RemoteReplies = Map<string, unknown>;

/**
 * Control primitives of one broker. Guarantees when the process dies mid-way: every
 * message is in the source, the target, or (at-least-once brokers) both; never neither.
 */
export interface BrokerControl {
  readonly capabilities: ControlCapabilities;
  /** Throws NOT_FOUND for an unknown queue; CONFLICT/UNPROCESSABLE for a target that would lose or reorder messages. */
  prepareTarget(queue: string, options?: TargetOptions): Promise<void>;
  /**
   * Same-broker move of the selection to `target.queue` (may be `queue`: reprioritize) at
   * `target.priority` (null: each message's own priority, whatever level it sat at). FIFO
   * kept within a priority; `at: 'front'` (whole queues only, no selector) puts them ahead
   * of what the target holds, in their order. `priorities` (with an id selector): the
   * priority each of those ids takes instead (an undo puts each back at its former one).
   */
  relocate(queue: string, selector: MessageSelector, target: RelocateTarget, options?: ControlOptions): Promise<ControlResult>;
  /** Hands the selection batch by batch to `sink`, then removes it from `queue` (at-least-once). */
  extract(queue: string, selector: MessageSelector, sink: TransferSink | null, options?: ControlOptions): Promise<ControlResult>;
  /**
   * Adds messages at their priority in `queue`, durably (confirms); returns how many. `back`:
   * appended in the given order. `front` (frontInsert brokers): put ahead of what each list
   * holds, the given order kept, so a caller fronting several batches passes the newest first.
   */
  putMessages(queue: string, items: readonly PutItem[], at?: InsertAt): Promise<number>;
  /**
   * Celery remote control broadcast (cancel_consumer/add_consumer), fire-and-forget, to every
   * worker or only to the `destination` hostnames. Returns false when there is nothing to send to.
   */
  broadcast(method: string, args: Record<string, unknown>, destination?: readonly string[]): Promise<boolean>;
  /**
   * Celery remote control with replies (`stats`, `conf`, `active_queues`...): each command is
   * broadcast to every worker, and replies are collected for at most `timeoutMs`. One map per
   * command, in order: worker hostname → its reply. Workers that do not answer are absent.
   */
  inspect(commands: readonly RemoteCommand[], timeoutMs: number): Promise<RemoteReplies[]>;
  /**
   * One Celery remote-control command (`pool_grow`, `rate_limit`, `add_consumer`...) to the
   * `destination` hostnames only, with replies: waits until each of them answered or
   * `timeoutMs` passed. Hostname → its reply (`{ok: ...}` or `{error: ...}`); a worker that
   * did not answer in time is absent. Commands that end the worker (`shutdown`) never answer.
   */
  broadcastControl(command: Omit<RemoteCommand, 'destination'>, destination: readonly string[], timeoutMs: number): Promise<RemoteReplies>;
  /** The kombu queues (routing keys) behind a logical queue: a lane group's lanes, else the queue. */
  memberQueues(queue: string): Promise<string[]>;
  /**
   * Waiting messages whose task id starts with `idPrefix` (ignoring case), in delivery
   * order, reading at most `options.cap` messages from the head and stopping once
   * `options.limit` were found or `options.signal` aborts. Changes nothing (RabbitMQ: the
   * read messages go back to their positions, marked redelivered). NOT_FOUND for an
   * unknown queue.
   */
  findWaiting(queue: string, idPrefix: string, options: FindWaitingOptions): Promise<WaitingSearch>;
  /**
   * Standing rules (capabilities.arrivals; UNSUPPORTED otherwise). With a null cursor: marks
   * "now" and returns no arrivals. Otherwise: the messages pushed since the cursor, oldest
   * first, at most `limit` (the rest come next time), without taking them. A marker message
   * that a consumer took means every older one was taken too, so all that remain are new;
   * one removed from the middle by another operation makes its list's remaining messages
   * count as new (docs/rules.md).
   */
  readArrivals(queue: string, cursor: ArrivalCursor | null, limit: number): Promise<ArrivalRead>;
  /**
   * Moves arrivals read from `queue` to `target.queue` (may be `queue`) of the same broker at
   * `target.priority` (null: their own), behind what the target holds, atomically per batch
   * (a crash leaves each in one place). An arrival a consumer took first, or already where it
   * would go, is skipped (and stays). `moved`: how many moved; `left`: those no longer in
   * `queue` (moved, or taken by a consumer first), for `ArrivalRead.next`.
   */
  relocateArrivals(queue: string, arrivals: readonly Arrival[], target: { queue: string; priority: number | null }): Promise<{ moved: number; left: Arrival[] }>;
  /** Hands arrivals to `sink` (an archive), then removes them from `queue` (at-least-once); returns how many left. */
  removeArrivals(queue: string, arrivals: readonly Arrival[], sink: TransferSink): Promise<number>;
}

export interface FindWaitingOptions {
  cap: number;
  limit: number;
  signal?: AbortSignal;
}

/** A waiting message found by id. `position` 1 is the next one a worker takes (approximate while workers consume). */
export interface WaitingMatch {
  id: string;
  task: string | null;
  /** The Triage level it is queued at. */
  priority: number;
  position: number;
}

export interface WaitingSearch {
  found: WaitingMatch[];
  /** Messages read. */
  scanned: number;
  /** False when the cap or the limit stopped the read before the queue's end. */
  complete: boolean;
}

// ---------------------------------------------------------------------------
// Consume (issue 3): the bundled worker's side of an adapter.

/** Why a message went to `<queue>.dead`; carried in its `triage_dead_reason` header. */
export type DeadReason = 'max_retries' | 'unknown_task' | 'undecodable' | 'invalid_args' | 'expired' | 'time_limit';

export interface DeadLetterInfo {
  reason: DeadReason;
  error: string;
  traceback: string;
}

/**
 * One message taken by a consumer. It stays in flight (RabbitMQ: unacked on its channel;
 * Redis: in kombu's `unacked` hash) until exactly one of `ack`, `retry` or `deadLetter`
 * resolves. If the process dies first, the broker gets it back (RabbitMQ at once; Redis
 * after the visibility timeout, at its own priority).
 */
export interface Delivery {
  /** The logical queue it was taken for, as named in `ConsumeOptions.queues`. */
  queue: string;
  /** The broker queue it physically came from (a lane of a lane group, else `queue`). */
  brokerQueue: string;
  /** The Triage level it was queued at. */
  level: number;
  /** The task's own priority (Message.taskPriority). */
  priority: number;
  /** The priorities sharing its level, [from, to]. */
  levelRange: [number, number];
  redelivered: boolean;
  decoded: import('@/lib/shared/celery-codec').DecodeResult;
  /**
   * Done: removes it from the broker, never before `after` (when given) has settled: the
   * worker passes "the task's record is on the wire". An adapter that folds acks into a
   * later broker call (Redis) returns at once, so the slot takes its next message while
   * the record is still being written.
   */
  ack(after?: Promise<void>): Promise<void>;
  /**
   * Replaces it with a copy whose headers are patched by `headers` (e.g. retries + 1, eta),
   * runnable from `runAt` (not before), at the same level of the same queue. The copy is
   * stored before the original is settled (Redis: one atomic step; RabbitMQ: confirm, then ack).
   */
  retry(headers: Record<string, unknown>, runAt: Date): Promise<void>;
  /**
   * Moves it to `<queue>.dead` (the original Celery message plus `triage_*` headers; see
   * DEAD_HEADERS), stored before the original is settled.
   */
  deadLetter(info: DeadLetterInfo): Promise<void>;
}

export interface ConsumeOptions {
  /** Logical queues; at the same level the earlier queue goes first. */
  queues: readonly string[];
  /** Slots: at most this many messages in flight at once (prefetch 1 per slot). */
  concurrency: number;
  /** Queues (as named in `queues`) not to take from now; asked before every take. */
  isPaused(queue: string): boolean;
  /** Prefix for the adapter's own bookkeeping outside the queues (Redis: the delayed-retry set). */
  statePrefix: string;
  /** Runs the message; must settle the delivery. A throw leaves it in flight (redelivered later). */
  onDelivery(delivery: Delivery): Promise<void>;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export interface ConsumerHandle {
  /** Takes nothing new; resolves once every slot's message is settled and connections are closed. */
  stop(): Promise<void>;
  /**
   * Stops now, without waiting for running handlers: unsettled messages go back to their
   * queues (Redis: handed back before the connection drops; RabbitMQ: requeued on close).
   */
  kill(): Promise<void>;
  /** Re-check pause state now (a pause-store notification arrived). */
  nudge(): void;
  /**
   * Takes from `queue` as well from now on (remote `add_consumer`), laid out as the broker
   * says (Redis: its layout, from configuration or discovery; RabbitMQ: its x-max-priority,
   * and its dead-letter queue declared), after the given queues at the same level. A queue
   * already consumed is left as it is. The caller checks that the queue exists.
   */
  addQueue(queue: string): Promise<void>;
  /**
   * Runs `concurrency` slots from now on (at least 1). New slots start taking at once; a
   * slot removed finishes and settles the message it holds first (a running task is never
   * interrupted), so the count of running tasks falls to the new size as they finish.
   */
  resize(concurrency: number): void;
}

/** Header names of a dead-lettered message (the control plane's retry reads them). */
export const DEAD_HEADERS = {
  reason: 'triage_dead_reason',
  error: 'triage_error',
  traceback: 'triage_traceback',
  at: 'triage_dead_at',
  originalQueue: 'triage_original_queue',
  /** The task's own priority (not the level it was stored under). */
  originalPriority: 'triage_original_priority',
} as const;

/**
 * The attempt count a worker writes on a retry copy, beside Celery's `retries`: protocol v1
 * keeps `retries` in the body, which a retry copy does not rewrite. A retry from the
 * dead-letter queue resets both.
 */
export const RETRIES_HEADER = 'triage_retries';

export const DEAD_SUFFIX = deadQueueName('');
