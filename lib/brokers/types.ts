import type { BrokerHealth, BrokerKind, MessagePage, Queue } from '@/lib/shared/types';
import type { TaskSpec } from '@/lib/shared/celery-codec';

/**
 * What a backend can do, so callers never branch on `kind`. `false` means "cannot", and
 * numbers an adapter cannot tell come back as `null`, never as a misleading 0.
 */
export interface BrokerCapabilities {
  /** The broker orders by priority itself (RabbitMQ x-max-priority) rather than per-step lists. */
  nativePriority: boolean;
  /** `browse` leaves the queue byte-identical (Redis) rather than fetch-and-requeue (RabbitMQ). */
  nonDestructiveBrowse: boolean;
  /** Per-priority depth is exact. */
  perPriorityDepth: boolean;
  /** `Queue.consumers` is known. */
  consumerCount: boolean;
  /** `Queue.rates` comes from the broker (otherwise the sampler derives them). */
  brokerRates: boolean;
  /** Ordered groups of queues shown as one logical queue. */
  laneGroups: boolean;
}

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
  /** Only messages at these Triage levels. */
  priorities?: Set<number> | null;
  /** Only messages of this task name (exact). */
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
}
