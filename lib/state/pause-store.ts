import type { Redis } from 'ioredis';
import { queueRef, stateKeys } from './keys';

export interface PauseRecord {
  at: string;
  by: string;
}

/**
 * Which queues are paused, kept in Redis so every dashboard replica and every worker sees
 * the same answer. Changes are announced on a pub/sub channel; subscribers should also
 * re-read periodically, because pub/sub drops messages while a subscriber reconnects.
 */
export class PauseStore {
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = stateKeys(prefix);
  }

  get channel(): string {
    return this.keys.controlChannel;
  }

  async pause(broker: string, queue: string, by: string): Promise<PauseRecord> {
    const record: PauseRecord = { at: new Date().toISOString(), by };
    await this.redis
      .multi()
      .hset(this.keys.paused, queueRef(broker, queue), JSON.stringify(record))
      .publish(this.keys.controlChannel, JSON.stringify({ type: 'pause', broker, queue }))
      .exec();
    return record;
  }

  async resume(broker: string, queue: string): Promise<boolean> {
    const [[, removed] = [null, 0]] =
      (await this.redis
        .multi()
        .hdel(this.keys.paused, queueRef(broker, queue))
        .publish(this.keys.controlChannel, JSON.stringify({ type: 'resume', broker, queue }))
        .exec()) ?? [];
    return Number(removed) > 0;
  }

  async isPaused(broker: string, queue: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.paused, queueRef(broker, queue))) === 1;
  }

  /** Every paused queue as `<broker>/<queue>` → record. */
  async all(): Promise<Map<string, PauseRecord>> {
    const raw = await this.redis.hgetall(this.keys.paused);
    return new Map(Object.entries(raw).map(([ref, json]) => [ref, JSON.parse(json) as PauseRecord]));
  }
}
