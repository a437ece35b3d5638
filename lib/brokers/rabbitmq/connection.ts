import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { TriageError, describeError, isTriageError } from '@/lib/shared/errors';

/**
 * One AMQP connection that survives broker restarts and dropped sockets.
 *
 * - `connect()` makes the first attempt and resolves when it has succeeded or failed:
 *   it never rejects, a down broker is retried in the background with capped
 *   exponential backoff (no Triage restart needed when RabbitMQ comes back).
 * - `onConnect` (the topology declaration) runs after every (re)connect, before the
 *   connection counts as `connected`; its failures are logged, never fatal.
 * - Work happens on short-lived channels (`withChannel`). A channel-level error (404
 *   NOT_FOUND, 406 PRECONDITION_FAILED) closes only that channel, so risky operations
 *   (passive declare, declare) can never take down the connection or other callers.
 * - While not connected, every operation throws `TriageError('UNAVAILABLE', reason)`
 *   at once instead of waiting for a reconnect.
 */

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'closed';

/** Opens channels on one specific connection. */
export interface ChannelSource {
  /** Runs `work` on a fresh channel, then closes it. AMQP errors become TriageErrors (see toTriageError). */
  withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T>;
  /** The same with publisher confirms enabled. */
  withConfirmChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T>;
  /**
   * A confirm channel kept open between calls (one per concurrent caller): opening and
   * closing one costs two round trips, more than a single publish. `work` must leave it
   * as it found it (no listeners left, every publish confirmed); a channel whose work
   * threw is closed, never reused.
   */
  withPublishChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T>;
}

// Idle publish channels kept per connection; more concurrent publishers open their own.
const MAX_IDLE_PUBLISH_CHANNELS = 4;

export interface RabbitConnectionOptions {
  url: string;
  /** Used when the URL names no vhost (amqp://host:5672). */
  vhost?: string;
  /** Shown by RabbitMQ (`connection_name`), so an operator can tell Triage's connections apart. */
  connectionName: string;
  onConnect?: (channels: ChannelSource) => Promise<void>;
  logger?: Logger;
  /** First retry delay; doubles per failed attempt up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

// A black-holed host must not stall connect() or close() for minutes.
const CONNECT_TIMEOUT_MS = 5000;
// Detects a silently dead broker (paused VM, partition) in ~30 s instead of the ~3 min
// the server's default of 60 s gives; only applied when the URL does not choose.
const HEARTBEAT_SEC = 15;
const CLOSE_TIMEOUT_MS = 3000;
// Quick to notice a restarted broker, gentle on a dead one.
const DEFAULT_INITIAL_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 10_000;

export class RabbitConnection implements ChannelSource {
  private model: ChannelModel | null = null;
  private stateValue: ConnectionState = 'idle';
  private lastErrorValue: string | null = null;
  private blockedValue: string | null = null;
  private serverVersionValue: string | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private firstAttempt: Promise<void> | null = null;
  private readonly logger: Logger;
  /** One node, or a cluster's nodes (`;`-separated URLs, kombu's failover form), tried in turn. */
  private readonly targets: { url: string; address: string }[];
  /** The node connected to now, or tried next. */
  private current = 0;

  constructor(private readonly options: RabbitConnectionOptions) {
    this.logger = options.logger ?? silentLogger;
    this.targets = splitAmqpUrls(options.url).map((url) => prepareUrl(url, options.vhost));
  }

  /** host:port of the node connected to (or tried next) only: safe to show (no credentials). */
  get address(): string {
    return this.targets[this.current]!.address;
  }

  private get amqpUrl(): string {
    return this.targets[this.current]!.url;
  }

  /** After a failure: the next attempt goes to the next node of the list. */
  private nextNode(): void {
    this.current = (this.current + 1) % this.targets.length;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Why the last attempt or the live connection failed; null once connected again. */
  get lastError(): string | null {
    return this.lastErrorValue;
  }

  /** Set while RabbitMQ blocks publishers (memory or disk alarm): publishes would stall. */
  get blockedReason(): string | null {
    return this.blockedValue;
  }

  /** From the server's connection properties; kept after a disconnect. */
  get serverVersion(): string | null {
    return this.serverVersionValue;
  }

  /** Resolves after the first attempt, whatever its outcome; never rejects. */
  connect(): Promise<void> {
    if (this.stateValue === 'closed') return Promise.resolve();
    this.firstAttempt ??= this.runAttempt();
    return this.firstAttempt;
  }

  /** Closes the connection and stops reconnecting; nothing keeps running afterwards. */
  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // An attempt in flight sees `closed` when it returns and closes what it opened.
    await this.inFlight?.catch(() => {});
    const model = this.model;
    this.model = null;
    if (model) await closeModel(model);
  }

  async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const model = this.requireModel();
    return this.useChannel(() => model.createChannel(), work);
  }

  async withConfirmChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const model = this.requireModel();
    return this.useChannel(() => model.createConfirmChannel(), work);
  }

  private idlePublish: { model: ChannelModel; channel: ConfirmChannel }[] = [];
  private readonly closedChannels = new WeakSet<ConfirmChannel>();

  async withPublishChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    const model = this.requireModel();
    // Channels of a previous connection are dead; drop them.
    this.idlePublish = this.idlePublish.filter((idle) => idle.model === model && !this.closedChannels.has(idle.channel));
    let channel = this.idlePublish.pop()?.channel;
    if (!channel) {
      try {
        channel = await model.createConfirmChannel();
      } catch (error) {
        throw new TriageError('UNAVAILABLE', `cannot open a channel to RabbitMQ at ${this.address}: ${describeError(error)}`);
      }
      const opened = channel;
      opened.on('error', () => {});
      opened.on('close', () => this.closedChannels.add(opened));
    }
    let reusable = false;
    try {
      const result = await work(channel);
      reusable = true;
      return result;
    } catch (error) {
      throw toTriageError(error, this.address);
    } finally {
      if (this.closedChannels.has(channel)) {
        // closed by the broker: nothing to return
      } else if (reusable && this.model === model && this.idlePublish.length < MAX_IDLE_PUBLISH_CHANNELS) {
        this.idlePublish.push({ model, channel });
      } else {
        await channel.close().catch(() => {});
      }
    }
  }

  /**
   * Runs `work` on a connection of its own, closed afterwards. Reading a queue is where the
   * broker can answer with a connection-level error (540 NOT_IMPLEMENTED for basic.get on a
   * stream, say): on the shared connection that would fail every other request's channels,
   * an operator's drain half-way included. Costs one AMQP handshake (milliseconds).
   */
  async isolated<T>(work: (channels: ChannelSource) => Promise<T>): Promise<T> {
    // Down is down: answer at once, as every other call does, instead of a connect timeout.
    this.requireModel();
    let model: ChannelModel;
    try {
      model = await connect(this.amqpUrl, {
        noDelay: true,
        timeout: CONNECT_TIMEOUT_MS,
        clientProperties: { connection_name: `${this.options.connectionName}:op` },
      });
    } catch (error) {
      throw new TriageError('UNAVAILABLE', `cannot connect to RabbitMQ at ${this.address}: ${describeError(error)}`);
    }
    // A server-side close must not crash the process; the work in flight rejects on its own.
    model.on('error', () => {});
    try {
      return await work(this.sourceFor(model));
    } finally {
      await closeModel(model);
    }
  }

  /** The reason operations fail right now, for UNAVAILABLE errors and health. */
  unavailableReason(): string {
    const what =
      this.stateValue === 'closed'
        ? 'closed'
        : this.stateValue === 'connecting' || this.stateValue === 'idle'
          ? 'not connected yet'
          : 'unreachable';
    return `RabbitMQ at ${this.address} is ${what}${this.lastErrorValue ? `: ${this.lastErrorValue}` : ''}`;
  }

  // -------------------------------------------------------------------------

  private requireModel(): ChannelModel {
    if (this.stateValue !== 'connected' || !this.model) throw new TriageError('UNAVAILABLE', this.unavailableReason());
    return this.model;
  }

  private runAttempt(): Promise<void> {
    const run = this.attemptOnce().finally(() => {
      if (this.inFlight === run) this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private async attemptOnce(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'connecting';
    let model: ChannelModel;
    try {
      model = await connect(this.amqpUrl, {
        // Without it Nagle's algorithm delays small frames: ack-then-fetch and
        // basic.get loops run ~160x slower.
        noDelay: true,
        timeout: CONNECT_TIMEOUT_MS,
        clientProperties: { connection_name: this.options.connectionName },
      });
    } catch (error) {
      this.failed(error);
      return;
    }
    if (this.isClosed()) {
      await closeModel(model);
      return;
    }
    this.watch(model);
    this.model = model;
    this.serverVersionValue = model.connection.serverProperties.version ?? this.serverVersionValue;
    try {
      await this.options.onConnect?.(this.sourceFor(model));
    } catch (error) {
      // A failed declaration must not keep Triage offline: the queues it could not
      // declare carry warnings, everything else works.
      this.logger.error({ err: describeError(error), address: this.address }, 'rabbitmq topology setup failed');
    }
    // Closed meanwhile, or dropped during setup (its close handler already scheduled a retry).
    if (this.isClosed() || this.model !== model) return;
    this.stateValue = 'connected';
    this.attempt = 0;
    this.lastErrorValue = null;
    this.logger.info({ address: this.address, name: this.options.connectionName }, 'rabbitmq connected');
  }

  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  private watch(model: ChannelModel): void {
    // Without an 'error' listener a server-side close would crash the process.
    model.on('error', (error: Error) => {
      this.lastErrorValue = describeError(error);
    });
    model.on('close', (error?: Error) => {
      if (this.model !== model) return;
      this.model = null;
      if (this.isClosed()) return;
      this.stateValue = 'disconnected';
      this.lastErrorValue = error ? describeError(error) : (this.lastErrorValue ?? 'the connection closed');
      this.logger.warn({ address: this.address, err: this.lastErrorValue }, 'rabbitmq connection lost; reconnecting');
      // A node that dropped us may be going down: a cluster's next node is tried first.
      this.nextNode();
      this.scheduleReconnect();
    });
    model.on('blocked', (reason: string) => {
      this.blockedValue = reason || 'blocked by the broker';
      this.logger.warn({ address: this.address, reason }, 'rabbitmq is blocking publishers');
    });
    model.on('unblocked', () => {
      this.blockedValue = null;
    });
  }

  private failed(error: unknown): void {
    if (this.isClosed()) return;
    const message = describeError(error);
    if (this.lastErrorValue !== message || this.attempt === 0) {
      this.logger.warn({ address: this.address, err: message }, 'rabbitmq connection failed; retrying');
    }
    this.nextNode();
    this.lastErrorValue = message;
    this.stateValue = 'disconnected';
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.isClosed() || this.timer) return;
    this.attempt += 1;
    const initial = this.options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
    const max = this.options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    const base = Math.min(max, initial * 2 ** Math.min(this.attempt - 1, 30));
    // Jitter only downwards, so the cap holds; it spreads many Triage replicas apart.
    const delay = Math.round(base * (0.8 + Math.random() * 0.2));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runAttempt();
    }, delay);
  }

  private sourceFor(model: ChannelModel): ChannelSource {
    return {
      withChannel: (work) => this.useChannel(() => model.createChannel(), work),
      withConfirmChannel: (work) => this.useChannel(() => model.createConfirmChannel(), work),
      // During connection setup: nothing to reuse yet.
      withPublishChannel: (work) => this.useChannel(() => model.createConfirmChannel(), work),
    };
  }

  private async useChannel<C extends Channel, T>(open: () => Promise<C>, work: (channel: C) => Promise<T>): Promise<T> {
    let channel: C;
    try {
      channel = await open();
    } catch (error) {
      throw new TriageError('UNAVAILABLE', `cannot open a channel to RabbitMQ at ${this.address}: ${describeError(error)}`);
    }
    let isOpen = true;
    // A channel error (404, 406...) closes this channel only; the operation that caused
    // it rejects with the same error, so there is nothing more to do here.
    channel.on('error', () => {});
    channel.on('close', () => {
      isOpen = false;
    });
    try {
      return await work(channel);
    } catch (error) {
      throw toTriageError(error, this.address);
    } finally {
      if (isOpen) await channel.close().catch(() => {});
    }
  }
}

/**
 * AMQP failures as TriageErrors: 404 → NOT_FOUND, 406 → CONFLICT (e.g. inequivalent
 * queue arguments), anything else from the broker or a dead channel → UNAVAILABLE.
 * TriageErrors and programming errors pass through unchanged.
 */
export function toTriageError(error: unknown, address: string): unknown {
  if (isTriageError(error)) return error;
  const code = amqpCode(error);
  const message = describeError(error);
  if (code === 404) return new TriageError('NOT_FOUND', message, { amqpCode: code });
  if (code === 406) return new TriageError('CONFLICT', message, { amqpCode: code });
  if (code !== null || isChannelGone(error)) {
    return new TriageError('UNAVAILABLE', `RabbitMQ at ${address}: ${message}`, code !== null ? { amqpCode: code } : undefined);
  }
  return error;
}

/** The AMQP reply code (404, 406, 320...) carried by an amqplib error, if any. */
export function amqpCode(error: unknown): number | null {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : null;
}

function isChannelGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'IllegalOperationError' ||
    /channel (ended|closed)|connection (closed|ended)|no reply will be forthcoming/i.test(error.message)
  );
}

/** Rejects with TriageError('UNAVAILABLE', message) when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TriageError('UNAVAILABLE', message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeModel(model: ChannelModel): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      model.close(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      }),
    ]);
  } catch {
    // Already closed by the server or the socket; nothing left to release.
  } finally {
    clearTimeout(timer);
  }
}

/** Adds the vhost and heartbeat when the URL sets none; returns host:port for messages. */
/** kombu's failover form: several AMQP URLs separated by `;`. */
export function splitAmqpUrls(url: string): string[] {
  const urls = url
    .split(';')
    .map((u) => u.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new TriageError('INVALID', 'the AMQP URL is empty');
  return urls;
}

function prepareUrl(raw: string, vhost: string | undefined): { url: string; address: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new TriageError('INVALID', 'the AMQP URL is not a URL (expected amqp://user:pass@host:5672/vhost)');
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new TriageError('INVALID', `the AMQP URL must start with amqp:// or amqps://, got ${parsed.protocol}//`);
  }
  // amqplib reads the vhost from the path; '' and '/' both mean "none given".
  if (vhost && (parsed.pathname === '' || parsed.pathname === '/')) parsed.pathname = `/${encodeURIComponent(vhost)}`;
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(HEARTBEAT_SEC));
  const port = parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672');
  return { url: parsed.toString(), address: `${parsed.hostname}:${port}` };
}
