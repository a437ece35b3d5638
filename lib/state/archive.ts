import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { stateKeys } from './keys';
import { execOrThrow } from '@/lib/redis/multi';
import { awaitReplicas } from '@/lib/redis/replication';

/**
 * Purged messages, kept 24 h so a purge can be undone (POST /api/v1/archives/{id}/restore).
 * One Redis list per archive holds the messages in the order a worker would have received
 * them (each in JSON as the caller hands it over: the control layer stores broker-neutral
 * TransferMessages, exact original bytes included); a hash holds where they came from. Both
 * expire together. The state layer never reads a message, so the type is the caller's.
 */
export const ARCHIVE_TTL_SEC = 24 * 3600;

export interface ArchiveMeta {
  id: string;
  broker: string;
  queue: string;
  at: string;
  by: string;
  expiresAt: string;
}

export class ArchiveStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  async create(input: { broker: string; queue: string; by: string }): Promise<ArchiveMeta> {
    const now = Date.now();
    const meta: ArchiveMeta = {
      id: randomUUID(),
      ...input,
      at: new Date(now).toISOString(),
      expiresAt: new Date(now + ARCHIVE_TTL_SEC * 1000).toISOString(),
    };
    const index = this.keys.queueArchives(input.broker, input.queue);
    // An archive missing from its queue's index could never be listed or restored: fail the purge first.
    await execOrThrow(
      this.redis
        .multi()
        .set(this.keys.archiveMeta(meta.id), JSON.stringify(meta), 'EX', ARCHIVE_TTL_SEC)
        .zadd(index, now + ARCHIVE_TTL_SEC * 1000, meta.id)
        .expire(index, ARCHIVE_TTL_SEC),
    );
    return meta;
  }

  /**
   * One queue's archives that still hold messages, newest first, with how many each holds.
   * The index is pruned here rather than by restore or expiry: an id whose meta has gone
   * (restored, or expired with its keys) is dropped on the next read.
   */
  async listFor(broker: string, queue: string): Promise<(ArchiveMeta & { count: number })[]> {
    const index = this.keys.queueArchives(broker, queue);
    await this.redis.zremrangebyscore(index, '-inf', Date.now());
    const ids = await this.redis.zrevrange(index, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.get(this.keys.archiveMeta(id)).llen(this.keys.archive(id));
    const replies = (await pipeline.exec()) ?? [];
    const gone: string[] = [];
    const out: (ArchiveMeta & { count: number })[] = [];
    ids.forEach((id, i) => {
      const [metaError, json] = replies[2 * i] ?? [];
      const [countError, count] = replies[2 * i + 1] ?? [];
      if (metaError || countError) throw metaError ?? countError;
      if (typeof json !== 'string') gone.push(id);
      else if (Number(count) > 0) out.push({ ...(JSON.parse(json) as ArchiveMeta), count: Number(count) });
    });
    if (gone.length > 0) await this.redis.zrem(index, ...gone);
    return out;
  }

  async meta(id: string): Promise<ArchiveMeta | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const json = await this.redis.get(this.keys.archiveMeta(id));
    return json ? (JSON.parse(json) as ArchiveMeta) : null;
  }

  /**
   * Appends a batch (before it is removed from the queue: a crash leaves it in both), and
   * returns once the state Redis' replicas hold it too, so a failover right after the batch
   * leaves the queue cannot lose it with the old master.
   */
  async append<M>(id: string, messages: readonly M[]): Promise<void> {
    if (messages.length === 0) return;
    const key = this.keys.archive(id);
    // A failed RPUSH must stop the purge: the batch is removed from the queue next.
    await execOrThrow(
      this.redis
        .multi()
        .rpush(key, ...messages.map((m) => JSON.stringify(m)))
        .expire(key, ARCHIVE_TTL_SEC),
    );
    await awaitReplicas(this.redis, `archive ${id}`);
  }

  /** Takes back messages that were archived but then not removed (a consumer got them first). */
  async drop<M>(id: string, messages: readonly M[]): Promise<void> {
    const key = this.keys.archive(id);
    const pipeline = this.redis.pipeline();
    for (const m of messages) pipeline.lrem(key, -1, JSON.stringify(m));
    await execOrThrow(pipeline);
  }

  async size(id: string): Promise<number> {
    return this.redis.llen(this.keys.archive(id));
  }

  /** The first `count` archived messages (oldest first). */
  async head<M>(id: string, count: number): Promise<M[]> {
    const rows = await this.redis.lrange(this.keys.archive(id), 0, count - 1);
    return rows.map((r) => JSON.parse(r) as M);
  }

  /** Forgets the first `count` messages once they are safely back in their queue. */
  async shift(id: string, count: number): Promise<void> {
    await this.redis.ltrim(this.keys.archive(id), count, -1);
  }

  /** The last `count` archived messages (the newest), oldest first. */
  async tail<M>(id: string, count: number): Promise<M[]> {
    const rows = await this.redis.lrange(this.keys.archive(id), -count, -1);
    return rows.map((r) => JSON.parse(r) as M);
  }

  /** Forgets the last `count` messages once they are safely back in their queue. */
  async pop(id: string, count: number): Promise<void> {
    await this.redis.ltrim(this.keys.archive(id), 0, -count - 1);
  }

  async remove(id: string): Promise<void> {
    await this.redis.del(this.keys.archive(id), this.keys.archiveMeta(id));
  }

  /** A short lock so two restores of one archive cannot both push it back. */
  async lock(id: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`${this.keys.archive(id)}:lock`, '1', 'PX', ms, 'NX')) === 'OK';
  }

  async unlock(id: string): Promise<void> {
    await this.redis.del(`${this.keys.archive(id)}:lock`);
  }
}
