import { z } from 'zod';
import { TriageError, describeError } from '@/lib/shared/errors';

/**
 * A small client for the RabbitMQ management HTTP API (rabbitmq_management plugin), the
 * only place RabbitMQ reports per-priority depth (`backing_queue_status.priority_lengths`).
 *
 * Its numbers come from the statistics database, which queues refresh every
 * `collect_statistics_interval` (5 s by default): counts can lag the broker by that much.
 * Existence and arguments are current (a declared queue shows up at once).
 *
 * Failures become `TriageError('UNAVAILABLE')` naming the API's address, never the
 * password; a missing queue is `null`, not an error.
 */

/** One queue as Triage needs it; fields the API left out are null rather than guessed. */
export interface QueueRecord {
  name: string;
  /** classic | quorum | stream */
  type: string;
  durable: boolean;
  autoDelete: boolean;
  exclusive: boolean;
  arguments: Record<string, unknown>;
  messagesReady: number;
  messagesUnacknowledged: number;
  consumers: number | null;
  /** Ready messages per AMQP priority ("0".."M"); classic priority queues only. */
  priorityLengths: Record<string, number> | null;
  /**
   * Messages per second, over the management sample window; null before the queue reported
   * any statistics. `removeRate` counts messages that left the queue for good (acked, or
   * delivered/fetched without ack), not `deliver_get`: that also counts every fetch that
   * returned its messages (a browse, a consumer that rejects), so a paused queue with no
   * consumer that someone browses would show work going out.
   */
  publishRate: number | null;
  removeRate: number | null;
  /** AMQP `timestamp` (seconds) of the message at the head, i.e. the next to be delivered. */
  headMessageTimestamp: number | null;
  /** running, down (its node is), crashed, minority…; null when the API does not say. */
  state: string | null;
  /** The node hosting a classic queue (a quorum queue's leader's). */
  node: string | null;
  /** Quorum and stream queues: the leader, every member, and the members online now. */
  leader: string | null;
  members: string[] | null;
  online: string[] | null;
}

export interface Overview {
  rabbitmqVersion: string | null;
  clusterName: string | null;
}

export interface ManagementClientOptions {
  /** Per request; a hung API must not hang a dashboard request. */
  timeoutMs?: number;
  /** Queues per listing page (default 500). */
  pageSize?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const PAGE_SIZE = 500;
// Only what a Queue needs: the full records carry per-queue garbage-collection and
// memory details we would download and throw away.
const QUEUE_COLUMNS = [
  'name',
  'type',
  'durable',
  'auto_delete',
  'exclusive',
  'arguments',
  'messages_ready',
  'messages_unacknowledged',
  'consumers',
  'backing_queue_status',
  'message_stats',
  'head_message_timestamp',
  'state',
  'node',
  'leader',
  'members',
  'online',
].join(',');
// Safety stop for a misbehaving server that reports absurd page counts.
const MAX_PAGES = 10_000;
const PARALLEL_PAGES = 4;

interface Endpoint {
  /** The API's address without credentials, for messages. */
  baseUrl: string;
  authorization: string | null;
}

function endpointOf(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TriageError('INVALID', `the RabbitMQ management URL is not a URL: ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//'))}`);
  }
  // fetch refuses URLs with credentials: move them into a Basic header.
  const authorization =
    parsed.username || parsed.password ? `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}` : null;
  parsed.username = '';
  parsed.password = '';
  return { baseUrl: parsed.toString().replace(/\/+$/, ''), authorization };
}

export class ManagementClient {
  private readonly endpoints: Endpoint[];
  /** The endpoint that answered last: asked first next time. */
  private current = 0;
  private readonly timeoutMs: number;
  private readonly pageSize: number;

  /**
   * `url`: one management API, or a cluster's (one per node, separated by `;`), asked in turn
   * when the one that answered last cannot be reached: every node's API shows the whole cluster.
   */
  constructor(
    url: string,
    private readonly vhost: string,
    options: ManagementClientOptions = {},
  ) {
    this.endpoints = url
      .split(';')
      .map((u) => u.trim())
      .filter(Boolean)
      .map(endpointOf);
    if (this.endpoints.length === 0) throw new TriageError('INVALID', 'the RabbitMQ management URL is empty');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.pageSize = options.pageSize ?? PAGE_SIZE;
  }

  /** The address of the API asked first now, without credentials, for messages. */
  get baseUrl(): string {
    return this.endpoints[this.current]!.baseUrl;
  }

  /** GET /api/overview. */
  async overview(timeoutMs?: number): Promise<Overview> {
    const body = await this.getJson('/api/overview', { timeoutMs });
    const parsed = OverviewSchema.safeParse(body);
    if (!parsed.success) throw this.unexpected('/api/overview');
    return { rabbitmqVersion: parsed.data.rabbitmq_version ?? null, clusterName: parsed.data.cluster_name ?? null };
  }

  /**
   * Every queue of the vhost, 500 per request, only the needed columns. Cost
   * grows with the number of queues, never with their depth.
   */
  async listQueues(): Promise<QueueRecord[]> {
    const byName = new Map<string, QueueRecord>();
    const first = await this.queuePage(1);
    const pages = [first.items];
    // The page count is known after the first page: fetch the rest side by side, a few
    // at a time, so a vhost with thousands of queues costs ~2 round trips, not one per page.
    const last = Math.min(first.pageCount, MAX_PAGES);
    for (let page = 2; page <= last; page += PARALLEL_PAGES) {
      const batch = Array.from({ length: Math.min(PARALLEL_PAGES, last - page + 1) }, (_, i) => this.queuePage(page + i));
      for (const result of await Promise.all(batch)) pages.push(result.items);
    }
    // A queue created or deleted between pages may shift one over: keep each name once.
    for (const items of pages) {
      for (const item of items) {
        const record = toQueueRecord(item);
        if (record) byName.set(record.name, record);
      }
    }
    return [...byName.values()];
  }

  private async queuePage(page: number): Promise<{ items: unknown[]; pageCount: number }> {
    const path =
      `/api/queues/${encodeURIComponent(this.vhost)}` +
      `?page=${page}&page_size=${this.pageSize}&sort=name&columns=${encodeURIComponent(QUEUE_COLUMNS)}`;
    const parsed = QueuePageSchema.safeParse(await this.getJson(path));
    if (!parsed.success) throw this.unexpected(path);
    return { items: parsed.data.items, pageCount: parsed.data.page_count };
  }

  /** GET /api/queues/{vhost}/{name}; null when the queue does not exist. */
  async getQueue(name: string): Promise<QueueRecord | null> {
    const path = `/api/queues/${encodeURIComponent(this.vhost)}/${encodeURIComponent(name)}?columns=${encodeURIComponent(QUEUE_COLUMNS)}`;
    const body = await this.getJson(path, { allowNotFound: true });
    if (body === NOT_FOUND) return null;
    const record = toQueueRecord(body);
    if (!record) throw this.unexpected(path);
    return record;
  }

  /** How many bindings have `exchange` as their source; null when the exchange does not exist. */
  async bindingCount(exchange: string): Promise<number | null> {
    const path = `/api/exchanges/${encodeURIComponent(this.vhost)}/${encodeURIComponent(exchange)}/bindings/source?columns=destination`;
    const body = await this.getJson(path, { allowNotFound: true });
    if (body === NOT_FOUND) return null;
    if (!Array.isArray(body)) throw this.unexpected(path);
    return body.length;
  }

  /**
   * The parsed JSON body, or NOT_FOUND for a 404 when `allowNotFound`. An API that cannot be
   * reached or answers 5xx (a node stopping or booting) hands over to the next one.
   */
  private async getJson(path: string, options: { timeoutMs?: number; allowNotFound?: boolean } = {}): Promise<unknown> {
    const failures: string[] = [];
    for (let tried = 0; tried < this.endpoints.length; tried++) {
      const index = (this.current + tried) % this.endpoints.length;
      const outcome = await this.getJsonFrom(this.endpoints[index]!, path, options);
      if (outcome.kind === 'answer') {
        this.current = index;
        return outcome.body;
      }
      if (outcome.kind === 'refused') throw outcome.error;
      failures.push(outcome.error.message);
    }
    throw new TriageError('UNAVAILABLE', failures.join('; '));
  }

  private async getJsonFrom(
    endpoint: Endpoint,
    path: string,
    options: { timeoutMs?: number; allowNotFound?: boolean },
  ): Promise<{ kind: 'answer'; body: unknown } | { kind: 'refused' | 'down'; error: TriageError }> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const at = `RabbitMQ management API at ${endpoint.baseUrl}`;
    let response: Response;
    try {
      response = await fetch(`${endpoint.baseUrl}${path}`, {
        headers: { accept: 'application/json', ...(endpoint.authorization ? { authorization: endpoint.authorization } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
        cache: 'no-store',
      });
    } catch (error) {
      return { kind: 'down', error: new TriageError('UNAVAILABLE', `${at} is unreachable: ${fetchFailure(error, timeoutMs)}`) };
    }
    if (response.status === 404 && options.allowNotFound) {
      await response.body?.cancel();
      return { kind: 'answer', body: NOT_FOUND };
    }
    if (!response.ok) {
      const reason = await response.text().catch(() => '');
      const what =
        response.status === 401
          ? 'rejected the credentials (401): check the user and password in the management URL'
          : response.status === 404
            ? `answered 404 for ${path.split('?')[0]} (does vhost ${JSON.stringify(this.vhost)} exist?)`
            : `answered HTTP ${response.status}${reason ? `: ${reason.slice(0, 200)}` : ''}`;
      return { kind: response.status >= 500 ? 'down' : 'refused', error: new TriageError('UNAVAILABLE', `${at} ${what}`) };
    }
    try {
      return { kind: 'answer', body: await response.json() };
    } catch (error) {
      return { kind: 'down', error: new TriageError('UNAVAILABLE', `${at} sent invalid JSON: ${describeError(error)}`) };
    }
  }

  private unexpected(path: string): TriageError {
    return new TriageError('UNAVAILABLE', `RabbitMQ management API at ${this.baseUrl} sent an unexpected shape for ${path.split('?')[0]}`);
  }
}

const NOT_FOUND = Symbol('not found');

function fetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  // undici wraps the socket error (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return describeError(error);
}

// ---------------------------------------------------------------------------
// Parsing: lenient per field (the API omits statistics until a new queue first reports
// them, and renders some as ""), strict only about what identifies a queue.

const QueuePageSchema = z.object({
  items: z.array(z.unknown()),
  page_count: z.number().int().min(0),
});

const OverviewSchema = z.object({
  rabbitmq_version: z.string().optional(),
  cluster_name: z.string().optional(),
});

function toQueueRecord(value: unknown): QueueRecord | null {
  if (!isObject(value) || typeof value.name !== 'string') return null;
  const stats = isObject(value.message_stats) ? value.message_stats : null;
  return {
    name: value.name,
    type: typeof value.type === 'string' ? value.type : 'classic',
    durable: value.durable === true,
    autoDelete: value.auto_delete === true,
    exclusive: value.exclusive === true,
    arguments: isObject(value.arguments) ? value.arguments : {},
    messagesReady: num(value.messages_ready) ?? 0,
    messagesUnacknowledged: num(value.messages_unacknowledged) ?? 0,
    consumers: num(value.consumers),
    priorityLengths: priorityLengths(isObject(value.backing_queue_status) ? value.backing_queue_status : null),
    publishRate: rate(stats, 'publish_details'),
    removeRate: stats ? (['ack_details', 'deliver_no_ack_details', 'get_no_ack_details'] as const).reduce((sum, field) => sum + (rate(stats, field) ?? 0), 0) : null,
    headMessageTimestamp: num(value.head_message_timestamp),
    state: typeof value.state === 'string' ? value.state : null,
    node: typeof value.node === 'string' ? value.node : null,
    leader: typeof value.leader === 'string' ? value.leader : null,
    members: strings(value.members),
    online: strings(value.online),
  };
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function priorityLengths(status: Record<string, unknown> | null): Record<string, number> | null {
  const lengths = status?.priority_lengths;
  if (!isObject(lengths)) return null;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(lengths)) {
    if (/^\d+$/.test(key) && typeof value === 'number' && Number.isFinite(value)) out[key] = value;
  }
  return out;
}

/** A counter RabbitMQ never incremented is absent from `message_stats`: its rate is 0 once the queue reports statistics. */
function rate(stats: Record<string, unknown> | null, field: string): number | null {
  if (!stats) return null;
  const details = stats[field];
  return isObject(details) && typeof details.rate === 'number' && Number.isFinite(details.rate) ? details.rate : 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
