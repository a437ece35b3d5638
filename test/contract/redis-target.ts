import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import type { QueueBroker } from '@/lib/brokers/types';
import { ALL_STEPS } from '@/lib/shared/priority';
import { REDIS_URL, deleteKeysLike, rawRedis } from '@/test/support';
import { STEPS, fillRedis, readRedis, stepKeyOf } from '@/test/control/helpers';
import type { ConfigOptions, ContractTarget, RawQueues } from './targets';

/** kombu's in-flight bookkeeping private to one tag (a worker harness, a test). */
export function kombuInFlightKeys(tag: string): { unacked: string; index: string; mutex: string } {
  return { unacked: `t-unacked-${tag}`, index: `t-unacked-index-${tag}`, mutex: `t-unacked-mutex-${tag}` };
}

/** Redis with kombu's layout: default steps [0, 3, 6, 9], or ten step lists separated by ':'. */
export const redisTarget: ContractTarget = {
  kind: 'redis',
  url: REDIS_URL,
  unreachable: { url: 'redis://127.0.0.1:1' },
  unreachableError: /cannot reach Redis/,
  config(options: ConfigOptions) {
    const keys = options.inFlightTag === undefined ? null : kombuInFlightKeys(options.inFlightTag);
    return RedisBrokerConfigSchema.parse({
      id: options.id ?? 'redis',
      kind: 'redis',
      url: options.url ?? REDIS_URL,
      queues: (options.queues ?? []).map((q) => (q.everyPriority ? { name: q.name, steps: [...ALL_STEPS], sep: ':' } : { name: q.name })),
      laneGroups: options.laneGroups ?? [],
      // The worker's visibility timeout, short so a killed worker's messages come back soon.
      ...(keys ? { visibilityTimeoutSec: 2, unackedKey: keys.unacked, unackedIndexKey: keys.index, unackedMutexKey: keys.mutex } : {}),
      ...options.extra,
    });
  },
  async openRaw(): Promise<RawQueues> {
    const redis = rawRedis();
    const stepKeys = (queue: string) => STEPS.map((step) => stepKeyOf(queue, step));
    return {
      async declare(queue) {
        await fillRedis(redis, queue, []);
      },
      fill: (queue, priorities, task) => fillRedis(redis, queue, priorities, task),
      async read(queue) {
        return (await readRedis(redis, queue)).map((e) => ({ id: e.id, level: e.step, priority: e.priority, redelivered: e.redelivered, stored: e.raw }));
      },
      async count(queue) {
        let total = 0;
        for (const key of stepKeys(queue)) total += await redis.llen(key);
        return total;
      },
      async exists(queue) {
        return (await redis.exists(...stepKeys(queue), `_kombu.binding.${queue}`)) > 0;
      },
      async putUndecodable(queue, body, level) {
        await redis.lpush(stepKeyOf(queue, level), body);
      },
      async deadLetters(deadQueue) {
        const out: { body: string; headers: Record<string, unknown> }[] = [];
        for (const key of stepKeys(deadQueue)) {
          for (const raw of (await redis.lrange(key, 0, -1)).reverse()) {
            const { body, headers } = JSON.parse(raw) as { body: string; headers: Record<string, unknown> };
            out.push({ body: Buffer.from(body, 'base64').toString(), headers });
          }
        }
        return out;
      },
      consumeWhile(queue, count) {
        return popWhile(stepKeys(queue), count);
      },
      async leftovers() {
        return [];
      },
      async inFlight(tag) {
        // kombu keeps each in-flight message in a hash and its time in an index: both must agree.
        const keys = kombuInFlightKeys(tag);
        return Math.max(await redis.hlen(keys.unacked), await redis.zcard(keys.index));
      },
      async consumers() {
        return null;
      },
      async dropConnection(broker: QueueBroker) {
        const mine = String(await redis.client('LIST'))
          .split('\n')
          .filter((line) => line.includes(` name=triage:${broker.id} `));
        if (mine.length !== 1) throw new Error(`expected one connection named triage:${broker.id}, found ${mine.length}`);
        await redis.client('KILL', 'ID', /id=(\d+)/.exec(mine[0]!)![1]!);
      },
      async remove(names) {
        await deleteKeysLike(redis, ...names);
      },
      async close() {
        await redis.quit();
      },
    };
  },
};

/** `count` raw kombu-style consumers popping (BRPOP) these lists until stopped; `stop()` returns the task ids they took. */
function popWhile(keys: string[], count: number): { stop: () => Promise<string[]> } {
  const consumed: string[] = [];
  let running = true;
  const consumer = async () => {
    const c = rawRedis();
    try {
      while (running) {
        const got = await c.brpop(...keys, 0.05);
        if (got) consumed.push((JSON.parse(got[1]) as { headers: { id: string } }).headers.id);
      }
    } finally {
      c.disconnect();
    }
  };
  const consumers = Array.from({ length: count }, consumer);
  return {
    stop: async () => {
      running = false;
      await Promise.all(consumers);
      return consumed;
    },
  };
}
