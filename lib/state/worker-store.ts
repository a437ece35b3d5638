import type { Redis } from 'ioredis';
import { stateKeys } from './keys';

import type { WorkerRecord, WorkerView } from '@/lib/shared/types';

export type { WorkerRecord, WorkerView };

export const HEARTBEAT_INTERVAL_MS = 2000;
const STALE_AFTER = 3;
const FORGET_AFTER_MS = 3600_000;

/**
 * Live workers (product.md §4 `Worker`): one JSON record per worker in a hash, rewritten on
 * every heartbeat. A worker that stops gracefully removes itself; one that was killed
 * stays, flagged `stale` once it missed STALE_AFTER heartbeats, and is dropped after an hour.
 */
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
