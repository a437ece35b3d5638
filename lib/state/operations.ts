import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { TriageError } from '@/lib/shared/errors';
import { stateKeys } from './keys';

/**
 * Pollable records of long control operations (GET /api/v1/operations/{id}): status,
 * progress counts after every batch, and the final result. Kept 24 h.
 */
export interface OperationRecord {
  id: string;
  action: string;
  target: { broker: string; queue?: string; task?: string };
  actor: string;
  /**
   * `interrupted`: recorded as running, but the process running it stopped renewing it (it
   * died, or lost the state Redis) for longer than the lease. Never stored: `get` derives it.
   */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  /** The process running it (`host:pid`), as the 409 of a busy queue names it. */
  holder?: string;
  startedAt: string;
  updatedAt: string;
  /** Renewed every few seconds while the process runs it. */
  heartbeatAt?: string;
  finishedAt: string | null;
  progress: { scanned: number; matched: number; moved: number };
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

const TTL_SEC = 24 * 3600;
/** How long a running operation's record (and its queue locks) outlive a process that stopped renewing them. */
export const OPERATION_LEASE_MS = 30_000;
const HEARTBEAT_MS = 10_000;
const HOLDER = `${hostname()}:${process.pid}`;
// Progress is written at most this often: a 50,000-message run must not write 100 times a second.
const PROGRESS_INTERVAL_MS = 250;
export const OPERATION_ID = /^[A-Za-z0-9_-]{8,64}$/;

export class OperationStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  async get(id: string): Promise<OperationRecord | null> {
    if (!OPERATION_ID.test(id)) return null;
    const json = await this.redis.get(this.keys.operation(id));
    return json ? withLiveness(JSON.parse(json) as OperationRecord, Date.now()) : null;
  }

  async start(input: { id?: string; action: string; target: OperationRecord['target']; actor: string }): Promise<OperationTracker> {
    const now = new Date().toISOString();
    const record: OperationRecord = {
      id: input.id ?? randomUUID(),
      action: input.action,
      target: input.target,
      actor: input.actor,
      status: 'running',
      holder: HOLDER,
      startedAt: now,
      updatedAt: now,
      heartbeatAt: now,
      finishedAt: null,
      progress: { scanned: 0, matched: 0, moved: 0 },
      result: null,
      error: null,
    };
    // A client-chosen id is claimed, never overwritten: another request (another user's,
    // perhaps) must not replace the record someone is polling.
    const claimed = await this.redis.set(this.keys.operation(record.id), JSON.stringify(record), 'EX', TTL_SEC, 'NX');
    if (claimed !== 'OK') {
      throw new TriageError('CONFLICT', `operation id ${record.id} is already in use; choose another (or omit it to get a fresh one)`, { path: ['operationId'] });
    }
    return new OperationTracker(record, (r) => this.save(r));
  }

  private async save(record: OperationRecord): Promise<void> {
    await this.redis.set(this.keys.operation(record.id), JSON.stringify(record), 'EX', TTL_SEC);
  }
}

/**
 * A running record whose process stopped renewing it is reported `interrupted`: a killed
 * replica's operation must not read "running" forever. Nothing is lost (every operation is
 * crash-safe); running it again finishes it.
 */
export function withLiveness(record: OperationRecord, nowMs: number): OperationRecord {
  if (record.status !== 'running') return record;
  const renewedAt = Date.parse(record.heartbeatAt ?? record.updatedAt);
  if (!(nowMs - renewedAt > OPERATION_LEASE_MS)) return record;
  return {
    ...record,
    status: 'interrupted',
    error: {
      code: 'INTERRUPTED',
      message: `the process running it (${record.holder ?? 'unknown'}) stopped at ${new Date(renewedAt).toISOString()}; no message was lost: run it again to finish it`,
    },
  };
}

export class OperationTracker {
  private lastWrite = 0;
  private pending: Promise<void> = Promise.resolve();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly record: OperationRecord,
    private readonly save: (record: OperationRecord) => Promise<void>,
  ) {
    // A batch can run longer than the lease without reporting progress: renew on a timer.
    this.heartbeat = setInterval(() => {
      this.record.heartbeatAt = new Date().toISOString();
      const snapshot = { ...this.record, progress: { ...this.record.progress } };
      this.pending = this.pending.then(() => this.save(snapshot)).catch(() => {});
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get id(): string {
    return this.record.id;
  }

  /** Cumulative counts; several phases add up through `base`. */
  progress(counts: { scanned: number; matched: number; moved: number }): void {
    this.record.progress = counts;
    const now = Date.now();
    if (now - this.lastWrite < PROGRESS_INTERVAL_MS) return;
    this.lastWrite = now;
    this.record.updatedAt = new Date(now).toISOString();
    this.record.heartbeatAt = this.record.updatedAt;
    const snapshot = { ...this.record, progress: { ...counts } };
    // Best effort and in order; a failed progress write never fails the operation.
    this.pending = this.pending.then(() => this.save(snapshot)).catch(() => {});
  }

  async finish(result: Record<string, unknown> | null, error: { code: string; message: string } | null): Promise<void> {
    clearInterval(this.heartbeat);
    await this.pending;
    const now = new Date().toISOString();
    Object.assign(this.record, { status: error ? 'failed' : 'succeeded', updatedAt: now, finishedAt: now, result, error });
    await this.save(this.record).catch(() => {});
  }
}

// A dead process's lock lapses after this; a live one refreshes it well before.
const LOCK_TTL_MS = OPERATION_LEASE_MS;
const LOCK_REFRESH_MS = 10_000;

/**
 * One control operation at a time per queue (across every dashboard replica): two
 * concurrent reprioritizes would otherwise share RabbitMQ's holding queue and read each
 * other's copies. Returns a release function, or null when another operation holds it.
 */
export async function lockQueue(redis: Redis, prefix: string, broker: string, queue: string, owner: string): Promise<(() => Promise<void>) | null> {
  const key = stateKeys(prefix).queueLock(broker, queue);
  if ((await redis.set(key, owner, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
    // Only SET ... PX writes this key: anything else there was put by hand (or by a bug)
    // and never expires, so "busy" would be answered forever.
    const [type, ttl] = await Promise.all([redis.type(key), redis.pttl(key)]);
    if (type === 'none') return lockQueue(redis, prefix, broker, queue, owner);
    if (type !== 'string' || ttl === -1) {
      throw new TriageError(
        'UNAVAILABLE',
        `the lock key ${key} holds ${type === 'string' ? 'a value without expiry' : `a ${type}`}, not a Triage lock, so no operation can run on ${broker}/${queue}; delete that key`,
      );
    }
    return null;
  }
  const timer = setInterval(() => {
    void redis.pexpire(key, LOCK_TTL_MS).catch(() => {});
  }, LOCK_REFRESH_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    // Only our own lock: after a lapse another operation may hold it now.
    if ((await redis.get(key)) === owner) await redis.del(key);
  };
}

/** Which operation holds a queue's lock and in how many ms the lock lapses unless renewed; null when free. */
export async function queueLockHolder(redis: Redis, prefix: string, broker: string, queue: string): Promise<{ operationId: string; lapsesInMs: number } | null> {
  const key = stateKeys(prefix).queueLock(broker, queue);
  const [owner, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
  return owner === null ? null : { operationId: owner, lapsesInMs: Math.max(0, ttl) };
}

// Polls Triage's state Redis (never a broker) while a client watches one operation.
const WATCH_INTERVAL_MS = 300;
// A record that never appears (wrong id, or the operation has not started yet).
const WATCH_NOT_FOUND_MS = 10_000;

/**
 * Server-sent events for one operation: `progress` with the record whenever it changes,
 * then `done` with the final record (succeeded or failed), then the stream ends. A record
 * that disappears (expired) for 10 s ends it with `done` and `null`.
 */
export function watchOperation(store: OperationStore, id: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let timer: NodeJS.Timeout | null = null;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const started = Date.now();
      let last = '';
      const stop = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      signal.addEventListener('abort', stop, { once: true });
      const send = (event: string, data: unknown) => controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      const tick = async () => {
        if (signal.aborted) return;
        const record = await store.get(id).catch(() => null);
        if (!record && Date.now() - started > WATCH_NOT_FOUND_MS) {
          send('done', null);
          stop();
          return;
        }
        if (record) {
          const json = JSON.stringify(record);
          if (record.status !== 'running') {
            send('done', record);
            stop();
            return;
          }
          if (json !== last) send('progress', record);
          last = json;
        }
        timer = setTimeout(() => void tick(), WATCH_INTERVAL_MS);
        timer.unref();
      };
      void tick();
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  });
}
