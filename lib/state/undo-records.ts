import type { Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import { ARCHIVE_TTL_SEC } from './archive';
import { stateKeys } from './keys';

/** A queue on a broker. */
export interface UndoPlace {
  broker: string;
  queue: string;
}

/**
 * What an undo needs to know about one operation: where its messages were (`from`) and
 * where they went: another place (`to`: a reprioritize names its own queue), or an archive.
 */
export interface UndoMeta {
  operationId: string;
  action: string;
  from: UndoPlace;
  to: UndoPlace | null;
  archiveId?: string;
  at: string;
  by: string;
}

/** One recorded message: where it sat before the operation moved it. */
export interface UndoItem {
  id: string;
  /** The task's own priority then. */
  priority: number;
  level: number;
}

export interface UndoDone {
  at: string;
  by: string;
  restored: number;
}

/**
 * The records that let an operation be undone, one per operation id, kept as long as
 * archives (24 h). Written before the messages move (the meta when the operation starts,
 * each batch before it leaves its place), so an operation killed mid-way can still be
 * undone for what it did. A message recorded twice (a batch retried) keeps its first place.
 */
export class UndoRecordStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  async begin(meta: UndoMeta): Promise<void> {
    await this.redis.set(this.keys.undoMeta(meta.operationId), JSON.stringify(meta), 'EX', ARCHIVE_TTL_SEC);
  }

  /** Adds one batch; messages without an id cannot be found again and are left out. */
  async append(operationId: string, batch: readonly { id: string | null; priority: number; level: number }[]): Promise<void> {
    const rows = batch.flatMap((m) => (m.id ? [[m.id, m.priority, m.level]] : []));
    if (rows.length === 0) return;
    const key = this.keys.undoItems(operationId);
    await execOrThrow(this.redis.multi().rpush(key, JSON.stringify(rows)).expire(key, ARCHIVE_TTL_SEC));
  }

  async meta(operationId: string): Promise<UndoMeta | null> {
    const json = await this.redis.get(this.keys.undoMeta(operationId));
    return json ? (JSON.parse(json) as UndoMeta) : null;
  }

  /** Every recorded message once, in the order recorded. */
  async items(operationId: string): Promise<UndoItem[]> {
    const batches = await this.redis.lrange(this.keys.undoItems(operationId), 0, -1);
    const seen = new Map<string, UndoItem>();
    for (const batch of batches) {
      for (const [id, priority, level] of JSON.parse(batch) as [string, number, number][]) {
        if (!seen.has(id)) seen.set(id, { id, priority, level });
      }
    }
    return [...seen.values()];
  }

  /** Held while one undo runs, so two cannot both put the messages back. */
  async lock(operationId: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.undoLock(operationId), '1', 'PX', ms, 'NX')) === 'OK';
  }

  async unlock(operationId: string): Promise<void> {
    await this.redis.del(this.keys.undoLock(operationId));
  }

  async done(operationId: string): Promise<UndoDone | null> {
    const json = await this.redis.get(this.keys.undoDone(operationId));
    return json ? (JSON.parse(json) as UndoDone) : null;
  }

  async markDone(operationId: string, done: UndoDone): Promise<void> {
    await this.redis.set(this.keys.undoDone(operationId), JSON.stringify(done), 'EX', ARCHIVE_TTL_SEC);
  }
}
