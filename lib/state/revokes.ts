import type { Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import { REVOKE_SIGNALS, type RevokeSignal } from '@/lib/shared/revoke';
import { stateKeys } from './keys';
import { DEFAULT_TASK_TTL_SEC } from './task-store';

/** One revoked task id as the workers load it. */
export interface RevokeEntry {
  id: string;
  /** ms since the epoch; the revoke is forgotten after it. */
  expiresAt: number;
  /** Set when a running execution must also be stopped. */
  terminate?: RevokeSignal;
}

/**
 * Revoked task ids, kept in the state Redis for the task retention period so a revoke
 * outlives any worker (Celery keeps them in each worker's memory, or its --statedb file).
 * Two sorted sets scored by expiry: every revoke has the same lifetime, so scores grow with
 * time and a worker catches up by reading from the highest score it has seen (`since`),
 * never the whole set. New revokes are announced on a channel; pub/sub drops messages while
 * a subscriber reconnects, so readers also re-read periodically.
 */
export class RevokeStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlSec = DEFAULT_TASK_TTL_SEC,
  ) {
    this.keys = stateKeys(prefix);
  }

  get channel(): string {
    return this.keys.revokeChannel;
  }

  /**
   * Revokes `ids` (and asks to terminate them with `options.terminate`) for the retention
   * period, renewing the ones revoked already. Answers which ids were not revoked (or not
   * asked to terminate) before this call, so two operators revoking one task at once learn
   * that only one of them did it.
   */
  async revoke(ids: readonly string[], options: { terminate?: RevokeSignal } = {}): Promise<{ added: Set<string>; terminating: Set<string> }> {
    if (ids.length === 0) return { added: new Set(), terminating: new Set() };
    const now = Date.now();
    const expiresAt = now + this.ttlSec * 1000;
    const multi = this.redis.multi();
    multi.zremrangebyscore(this.keys.revoked, '-inf', now);
    multi.zremrangebyscore(this.keys.revokedTerminate, '-inf', now);
    // One ZADD per id: its reply (1 new, 0 renewed) is what tells the first revoke apart.
    for (const id of ids) multi.zadd(this.keys.revoked, expiresAt, id);
    // Either signal counts as already asked: a second request with the other one is no new terminate.
    if (options.terminate) for (const id of ids) multi.zadd(this.keys.revokedTerminate, expiresAt, `${id}\t${options.terminate}`);
    if (options.terminate) for (const id of ids) multi.zscore(this.keys.revokedTerminate, `${id}\t${REVOKE_SIGNALS.find((s) => s !== options.terminate)}`);
    multi.publish(this.keys.revokeChannel, JSON.stringify({ ids: ids.length <= 1000 ? ids : [], terminate: options.terminate ?? null }));
    const replies = await execOrThrow(multi);
    const added = new Set(ids.filter((_, i) => Number(replies[2 + i]) === 1));
    const terminating = new Set<string>();
    if (options.terminate) {
      const base = 2 + ids.length;
      ids.forEach((id, i) => {
        if (Number(replies[base + i]) === 1 && replies[base + ids.length + i] === null) terminating.add(id);
      });
    }
    return { added, terminating };
  }

  /** Takes revokes back (an archive of revoked tasks restored to run); workers drop them on the announcement or their next full re-read. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const terminating = ids.flatMap((id) => REVOKE_SIGNALS.map((signal) => `${id}\t${signal}`));
    await execOrThrow(
      this.redis
        .multi()
        .zrem(this.keys.revoked, ...ids)
        .zrem(this.keys.revokedTerminate, ...terminating)
        .publish(this.keys.revokeChannel, JSON.stringify({ forget: ids.length <= 1000 ? ids : [] })),
    );
  }

  /** Revokes expiring at or after `fromScore` (0: all), terminate requests included. */
  async since(fromScore: number): Promise<RevokeEntry[]> {
    const min = Math.max(fromScore, Date.now());
    const [plain, terminating] = (await execOrThrow(
      this.redis.multi().zrangebyscore(this.keys.revoked, min, '+inf', 'WITHSCORES').zrangebyscore(this.keys.revokedTerminate, min, '+inf', 'WITHSCORES'),
    )) as [string[], string[]];
    const entries = new Map<string, RevokeEntry>();
    for (let i = 0; i < plain.length; i += 2) entries.set(plain[i]!, { id: plain[i]!, expiresAt: Number(plain[i + 1]) });
    for (let i = 0; i < terminating.length; i += 2) {
      const member = terminating[i]!;
      const tab = member.lastIndexOf('\t');
      const id = member.slice(0, tab);
      const entry = entries.get(id) ?? { id, expiresAt: Number(terminating[i + 1]) };
      entry.terminate = member.slice(tab + 1) as RevokeSignal;
      entries.set(id, entry);
    }
    return [...entries.values()];
  }

  async isRevoked(id: string): Promise<boolean> {
    const score = await this.redis.zscore(this.keys.revoked, id);
    return score !== null && Number(score) > Date.now();
  }
}
