import type { Redis } from 'ioredis';
import { queueRef, stateKeys } from './keys';
import { execOrThrow } from '@/lib/redis/multi';

export interface PauseRecord {
  at: string;
  by: string;
}

/** A real Celery worker that was consuming one of a paused queue's kombu queues. */
export interface CeleryConsumer {
  queue: string;
  hostname: string;
}

// Only while the pause stands: a resume that got in first must not leave a stale set behind.
const REMEMBER_LUA = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
return redis.call('SADD', KEYS[2], unpack(ARGV, 2))
`;

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
    await execOrThrow(
      this.redis
        .multi()
        .hset(this.keys.paused, queueRef(broker, queue), JSON.stringify(record))
        .publish(this.keys.controlChannel, JSON.stringify({ type: 'pause', broker, queue })),
    );
    return record;
  }

  /** Adds to the Celery workers remembered for a paused queue; ignored once it is resumed. */
  async rememberCeleryConsumers(broker: string, queue: string, consumers: readonly CeleryConsumer[]): Promise<void> {
    if (consumers.length === 0) return;
    const members = consumers.map((c) => `${c.queue}\t${c.hostname}`);
    await this.redis.eval(REMEMBER_LUA, 2, this.keys.paused, this.keys.pausedCeleryConsumers(broker, queue), queueRef(broker, queue), ...members);
  }

  /** Ends the pause; hands back the Celery workers that were consuming the queue, to resume there. */
  async resume(broker: string, queue: string): Promise<{ resumed: boolean; celeryConsumers: CeleryConsumer[] }> {
    const consumersKey = this.keys.pausedCeleryConsumers(broker, queue);
    const [removed, members] = await execOrThrow(
      this.redis
        .multi()
        .hdel(this.keys.paused, queueRef(broker, queue))
        .smembers(consumersKey)
        .del(consumersKey)
        .publish(this.keys.controlChannel, JSON.stringify({ type: 'resume', broker, queue })),
    );
    const celeryConsumers = (members as string[]).map((member) => {
      const tab = member.indexOf('\t');
      return { queue: member.slice(0, tab), hostname: member.slice(tab + 1) };
    });
    return { resumed: Number(removed) > 0, celeryConsumers };
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
