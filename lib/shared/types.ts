import { z } from 'zod';
import { hasControlCharacters, jsonDepthWithin, MAX_JSON_DEPTH } from './names';
import { PrioritySchema } from './priority';

/** Wire shapes of the HTTP API (product.md §4). Extra fields are additions, never changes. */

/**
 * Which driver serves a broker ('redis', 'rabbitmq': lib/brokers/registry.ts lists them). A
 * plain string on the wire, so adding a kind changes nothing the browser compiles against;
 * the configuration refuses kinds the registry does not know. Code outside a driver never
 * branches on it: it reads `capabilities`.
 */
export type BrokerKind = string;

/**
 * What a backend can do, so callers never branch on `kind`. `false` means "cannot", and
 * numbers an adapter cannot tell come back as `null`, never as a misleading 0.
 */
export interface BrokerCapabilities {
  /** The broker orders by priority itself (RabbitMQ x-max-priority) rather than per-step lists. */
  nativePriority: boolean;
  /** `browse` leaves the queue byte-identical (Redis) rather than fetch-and-requeue (RabbitMQ): reading it again and again changes nothing. */
  nonDestructiveBrowse: boolean;
  /** Per-priority depth is exact. */
  perPriorityDepth: boolean;
  /**
   * `depth` and `byPriority` are read from the broker at the time of the request (Redis:
   * LLEN), rather than from statistics the broker samples every few seconds (RabbitMQ's
   * management API, ~5 s).
   */
  liveDepth: boolean;
  /** `Queue.consumers` is known. */
  consumerCount: boolean;
  /** `Queue.rates` comes from the broker (otherwise the sampler derives them). */
  brokerRates: boolean;
  /** Ordered groups of queues shown as one logical queue. */
  laneGroups: boolean;
  /** Standing rules can act on arriving messages (the control's `arrivals` capability: read in place). */
  standingRules: boolean;
}

export type ByPriority = Record<string, number>;

export interface QueueRates {
  /** Messages per second over the last sample window; null when the broker cannot tell. */
  enqueue: number | null;
  /** Messages that left the queue for good (taken and acked), per second. */
  dequeue: number | null;
  /** Where the numbers come from, or why they are null (for people: tooltips). */
  basis?: string;
}

export interface LaneInfo {
  queue: string;
  priorities: [number, number];
  depth: number;
}

export interface Queue {
  broker: string;
  kind: BrokerKind;
  name: string;
  depth: number;
  /** All ten keys "0".."9"; only `levels` can be non-zero. */
  byPriority: ByPriority;
  /** Reserved by consumers, not yet acknowledged. */
  inFlight: number;
  /** null = the broker cannot tell (kombu on Redis keeps no consumer registry). */
  consumers: number | null;
  paused: boolean;
  oldestAgeSec: number | null;
  /** Per level; null where the age is unknown (messages without an enqueue timestamp). */
  oldestAgeSecByPriority: Record<string, number | null>;
  /** Distinct priorities the queue holds apart, e.g. [0,3,6,9] for kombu's default steps. */
  levels: number[];
  /** levelOf[p] = the level a message enqueued at priority p is stored and counted under. */
  levelOf: number[];
  rates: QueueRates;
  /** Set for lane groups: their member queues, in consumption order. */
  lanes?: LaneInfo[];
  /** Broker-specific facts worth showing: steps, separator, x-max-priority, arguments. */
  details: Record<string, unknown>;
  /** Things that silently break priority or need attention. */
  warnings: string[];
  /** What the queue's broker can do: what the UI offers and refreshes depends on these, never on `kind`. */
  capabilities: BrokerCapabilities;
  /**
   * Set when the broker cannot serve the queue now (the cluster node holding it is down, a
   * quorum queue without a majority): its counts are unknown, not zero.
   */
  unavailable?: string | null;
  /**
   * Set (by Triage, not the broker) when the high band's (P0–2) oldest waiting task has
   * waited longer than the configured `highBandAlertSec`; null otherwise.
   */
  highBandAlert?: { oldestAgeSec: number; thresholdSec: number } | null;
  /** Set by Triage: p50/p95 of task waits (enqueued → started) per level and band, last 15 min; null when none started. */
  waitTimes?: import('./wait-times').QueueWaitTimes | null;
}

export interface Message {
  id: string;
  task: string;
  args: unknown;
  kwargs: unknown;
  /** The Triage level the message is actually queued at (the list or AMQP priority it sits under). */
  priority: number;
  /** The raw wire value (`properties.priority`), null when absent. */
  brokerPriority: number | null;
  /**
   * The task's own priority on Triage's scale, what it was enqueued with: equal to
   * `priority` unless the queue stores several priorities under one level (kombu's default
   * steps keep 0, 1 and 2 in one list; RabbitMQ x-max-priority 4 merges neighbours). Moves
   * between queues of any layout keep it. Redis: `properties.priority` (kept inside a lane's
   * range); RabbitMQ: the `triage_priority` header while it agrees with the wire value, else
   * the level.
   */
  taskPriority: number;
  retries: number;
  eta: string | null;
  enqueuedAt: string | null;
  /** 1 or 2; null for undecodable messages. */
  protocol: 1 | 2 | null;
  origin?: string | null;
  /** Redis: the exact list element; present for undecodable messages and on request. */
  raw?: string;
  decodeError?: string;
  /** Set on messages a worker dead-lettered: why, when and where from (its `triage_*` headers). */
  deadLetter?: DeadLetter;
}

export interface DeadLetter {
  reason: string | null;
  error: string | null;
  traceback: string | null;
  at: string | null;
  originalQueue: string | null;
  originalPriority: number | null;
}

export interface MessagePage {
  messages: Message[];
  nextCursor: string | null;
  /** RabbitMQ only: the read fetched and returned messages to the queue (marks them redelivered). */
  requeued?: boolean;
  /** How many raw messages this page scanned (filters may skip most of them). */
  scanned?: number;
}

export interface BrokerHealth {
  id: string;
  kind: BrokerKind;
  ok: boolean;
  latencyMs: number | null;
  version?: string | null;
  error?: string;
  /** What an operator can do about it, when down. */
  hint?: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  brokers: BrokerHealth[];
}

/**
 * `GET /api/v1/queues` and the live feed's `queues` event: every listed queue, and the
 * brokers whose queues could not be listed (an addition to the contract).
 */
export interface QueueList {
  queues: Queue[];
  /** Always sent by this server (optional in the contract). */
  unavailable?: { broker: string; error: string }[];
}

/** `GET /api/v1/health` without credentials: up or not per broker, nothing that names a host or version. */
export interface PublicHealth {
  status: Health['status'];
  brokers: Pick<BrokerHealth, 'id' | 'kind' | 'ok' | 'latencyMs'>[];
}

/** product.md §4 `Worker`, as Triage's worker store keeps it (Triage's and real Celery workers). */
/** A task a worker holds now (issue 19 §2): running, reserved, or waiting for its eta. */
export interface WorkerTaskRef {
  id: string;
  task: string;
  /** When it started running (active tasks), ISO. */
  startedAt?: string;
  /** When it is due (scheduled tasks), ISO. */
  eta?: string;
}

export interface WorkerRecord {
  id: string;
  /**
   * What people call the worker: Triage's `triage@<host>:<pid>` (or its `--name`). Absent for
   * Celery workers, whose `hostname` already is their node name (`celery@host`).
   */
  name?: string;
  hostname: string;
  pid: number;
  broker: string;
  queues: string[];
  /** A consumed lane group → its lanes, in the order they are taken from (Triage workers on Redis). */
  lanes?: Record<string, string[]>;
  concurrency: number;
  /** Messages a slot holds beyond the one it runs: always 1 per slot for Triage workers. */
  prefetch: number;
  active: number;
  processed: number;
  failed: number;
  /** Every queue it consumes is paused. */
  paused: boolean;
  pausedQueues: string[];
  state: 'online' | 'stopping';
  /** Running now (Triage workers: from their heartbeat; Celery: `inspect active`). Absent: not reported. */
  activeTasks?: WorkerTaskRef[];
  /** Taken but not yet running (Triage workers: held back by a rate limit; Celery: `inspect reserved`). */
  reservedTasks?: WorkerTaskRef[];
  /** Waiting in the worker for their eta/countdown (Celery: `inspect scheduled`). */
  scheduledTasks?: WorkerTaskRef[];
  startedAt: string;
  lastHeartbeatAt: string;
  heartbeatIntervalMs: number;
}

export interface WorkerView extends WorkerRecord {
  /** Celery workers: `sw_ident sw_ver` from their events. */
  software?: string;
  /** No heartbeat for STALE_AFTER intervals: probably dead (killed, frozen, partitioned). */
  stale: boolean;
  /** Settings of this worker that break priority (real Celery workers, from remote control). */
  warnings?: string[];
}

/** What the security log records: a failed operation, a refused request (403), a failed login. */
export const SECURITY_EVENT_KINDS = ['failed', 'denied', 'login_failed'] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

/**
 * product.md §4: AuditEntry = {id, at, actor, role, action, target: {broker, queue?, task?}, params, result}.
 * Entries about users and tokens (not about a broker) name `target.user` or `target.token` instead of a broker.
 */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  role: string;
  action: string;
  target: { broker?: string; queue?: string; task?: string; user?: string; token?: string };
  params: Record<string, unknown>;
  /** Counts on success; `{ error: {code, message} }` when the action failed (security log only). */
  result: Record<string, unknown>;
  /** Security log entries only. */
  kind?: SecurityEventKind;
}

/** A purge's archive that can still be restored (GET /api/v1/queues/{broker}/{queue}/archives). */
export interface ArchiveInfo {
  id: string;
  broker: string;
  queue: string;
  /** When the purge ran, and who ran it. */
  createdAt: string;
  actor: string;
  /** Messages it holds now: what a restore puts back. */
  count: number;
  /** Gone after this (24 h after the purge). */
  expiresAt: string;
}

// ---------------------------------------------------------------------------
// Input schemas (validated at the edge; the adapters receive only parsed values).

export const MAX_ENQUEUE_COUNT = 10_000;

const JsonObjectSchema = z.record(z.string(), z.unknown());

export const EnqueueBodySchema = z
  .object({
    task: z
      .string({ error: 'task is required: a task name such as myapp.tasks.send_email' })
      .trim()
      .min(1, { error: 'task must not be empty' })
      .max(200, { error: 'task name is at most 200 characters' })
      .refine((task) => !hasControlCharacters(task), { error: 'task names may not contain control characters' }),
    args: z
      .array(z.unknown(), { error: 'args must be a JSON array' })
      .refine((v) => jsonDepthWithin(v), { error: `args nest more than ${MAX_JSON_DEPTH} levels deep` })
      .optional(),
    kwargs: JsonObjectSchema.optional()
      .refine((v) => v === undefined || !Array.isArray(v), {
        error: 'kwargs must be a JSON object',
      })
      .refine((v) => v === undefined || jsonDepthWithin(v), { error: `kwargs nest more than ${MAX_JSON_DEPTH} levels deep` }),
    priority: PrioritySchema.optional(),
    count: z
      .number({ error: `count must be an integer from 1 to ${MAX_ENQUEUE_COUNT}` })
      .int({ error: `count must be an integer from 1 to ${MAX_ENQUEUE_COUNT}` })
      .min(1, { error: `count must be an integer from 1 to ${MAX_ENQUEUE_COUNT}` })
      .max(MAX_ENQUEUE_COUNT, { error: `count must be an integer from 1 to ${MAX_ENQUEUE_COUNT}` })
      .optional(),
    /** Delay before a worker may run it: becomes the Celery `eta` header. */
    countdown: z.number().min(0).max(31_536_000).optional(),
    eta: z.iso.datetime({ offset: true, error: 'eta must be an ISO-8601 date-time with offset' }).optional(),
  })
  .strict();

export type EnqueueBody = z.infer<typeof EnqueueBodySchema>;

/** `?limit=` of every paged list: 1..500, 50 when absent. */
export const PageLimitSchema = z.coerce
  .number({ error: 'limit must be an integer from 1 to 500' })
  .int({ error: 'limit must be an integer from 1 to 500' })
  .min(1, { error: 'limit must be an integer from 1 to 500' })
  .max(500, { error: 'limit must be an integer from 1 to 500' })
  .default(50);

export const BrowseQuerySchema = z
  .object({
    limit: PageLimitSchema,
    cursor: z.string().max(2000).optional(),
    priority: z
      .string()
      .regex(/^[0-9](-[0-9])?(,[0-9](-[0-9])?)*$/, { error: 'priority filter is a list like 0,3 or a range like 0-2' })
      .optional(),
    task: z.string().max(200).optional(),
    q: z.string().max(200).optional(),
  })
  .strict();

export type BrowseQuery = z.infer<typeof BrowseQuerySchema>;

/** Parses "0,3-5" into the set {0,3,4,5}. */
export function parsePriorityFilter(text: string | undefined): Set<number> | null {
  if (!text) return null;
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [from, to] = part.split('-').map((n) => Number.parseInt(n, 10));
    const end = to ?? from!;
    for (let p = Math.min(from!, end); p <= Math.max(from!, end); p++) out.add(p);
  }
  return out;
}
