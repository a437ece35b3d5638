import type { Redis } from 'ioredis';
import { stateKeys } from './keys';

/**
 * Live workers (product.md §4 `Worker`): one JSON record per worker in a hash, rewritten on
 * every heartbeat. A worker that stops gracefully removes itself; one that was killed
 * stays, flagged `stale` once it missed STALE_AFTER heartbeats, and is dropped after an hour.
 */
export interface WorkerRecord {
  id: string;
  hostname: string;
  pid: number;
  broker: string;
  queues: string[];
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
  startedAt: string;
  lastHeartbeatAt: string;
  heartbeatIntervalMs: number;
}

export interface WorkerView extends WorkerRecord {
  /** No heartbeat for STALE_AFTER intervals: probably dead (killed, frozen, partitioned). */
  stale: boolean;
  /** Settings of this worker that break priority (real Celery workers, from remote control). */
  warnings?: string[];
}

export const HEARTBEAT_INTERVAL_MS = 2000;
const STALE_AFTER = 3;
const FORGET_AFTER_MS = 3600_000;

export class WorkerStore {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = stateKeys(prefix).workers;
  }

  async put(record: WorkerRecord): Promise<void> {
    await this.redis.hset(this.key, record.id, JSON.stringify(record));
  }

  async remove(id: string): Promise<void> {
    await this.redis.hdel(this.key, id);
  }

  /** Every known worker, newest start first; long-dead records are pruned on the way. */
  async list(now = Date.now()): Promise<WorkerView[]> {
    const raw = await this.redis.hgetall(this.key);
    const views: WorkerView[] = [];
    const forget: string[] = [];
    for (const [id, json] of Object.entries(raw)) {
      let record: WorkerRecord;
      try {
        record = JSON.parse(json) as WorkerRecord;
      } catch {
        forget.push(id);
        continue;
      }
      const silentMs = now - Date.parse(record.lastHeartbeatAt);
      if (!(silentMs < FORGET_AFTER_MS)) {
        forget.push(id);
        continue;
      }
      views.push({ ...record, stale: silentMs > STALE_AFTER * (record.heartbeatIntervalMs || HEARTBEAT_INTERVAL_MS) });
    }
    if (forget.length > 0) await this.redis.hdel(this.key, ...forget);
    return views.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id));
  }
}
