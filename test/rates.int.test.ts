import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import type { Redis } from 'ioredis';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import { Sampler, getSampler, stopSampler } from '@/lib/server/sampler';
import { ALL_STEPS } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import * as queuesRoute from '@/app/api/v1/queues/route';
import * as queueRoute from '@/app/api/v1/queues/[broker]/[queue]/route';
import * as messagesRoute from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import * as pauseRoute from '@/app/api/v1/queues/[broker]/[queue]/pause/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, writeTestConfig } from './api-client';

/**
 * Enqueue and dequeue rates as the overview shows them, against real Redis and RabbitMQ.
 *
 * Redis reports no rates, so Triage derives them from what it sees: the depth at every
 * sample and the task events of workers. RabbitMQ reports them, but its deliver/get rate
 * also counts every browse of the queue (a fetch that returns the messages), which is not
 * work leaving the queue.
 */

const prefix = `${uniqueName('rates')}:`;
const rq = uniqueName('rates-redis');
const rqLive = uniqueName('rates-redis-live');
const rmq = uniqueName('rates-rabbit');
let redis: Redis;
let connection: amqp.ChannelModel;

async function enqueue(broker: string, queue: string, count: number, priority = 0) {
  const res = await call(tasks.POST, 'POST', `/api/v1/queues/${broker}/${queue}/tasks`, { broker, queue }, { task: 'rates.test', priority, count });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  redis = rawRedis();
  connection = await amqp.connect(AMQP_URL);
  writeTestConfig({
    brokers: [
      {
        id: 'redis',
        kind: 'redis',
        url: REDIS_URL,
        queues: [rq, rqLive].map((name) => ({ name, steps: [...ALL_STEPS], sep: ':' })),
        discover: false,
      },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: rmq, maxPriority: 10 }], discover: false },
    ],
    stateRedisUrl: REDIS_URL,
    statePrefix: prefix,
    sampler: { historyIntervalSec: 1, liveIntervalMs: 250 },
  });
});

afterAll(async () => {
  stopSampler();
  await resetRuntime();
  await deleteKeysLike(redis, rq, rqLive, prefix);
  const channel = await connection.createChannel();
  await channel.deleteQueue(rmq);
  await connection.close();
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('Redis rates derived by the sampler', () => {
  it('become numbers from depth changes between samples and worker events', async () => {
    const rt = runtime();
    await rt.ready;
    let clock = Date.now();
    // Its own instance with an injected clock, driven tick by tick (never started).
    const sampler = new Sampler({
      brokers: [...rt.brokers.values()],
      state: rt.state,
      config: rt.config.sampler,
      logger: rt.logger,
      history: false,
      now: () => clock,
    });
    const unsubscribe = sampler.subscribe(() => undefined);
    const log = rt.state.events;
    const ratesOf = () => sampler.latestSnapshot()!.queues.find((q) => q.broker === 'redis' && q.name === rq)!.rates;
    try {
      await sampler.tick();
      // One sample: nothing to compare with yet.
      expect(ratesOf()).toMatchObject({ enqueue: null, dequeue: null });

      // 10 arrive, nothing leaves.
      await enqueue('redis', rq, 10);
      clock += 5000;
      await sampler.tick();
      expect(ratesOf()).toMatchObject({ enqueue: 2, dequeue: 0 });

      // A worker takes 4 (its task.received events say so).
      for (let i = 0; i < 4; i++) expect(await redis.rpop(rq)).not.toBeNull();
      for (let i = 0; i < 4; i++) await log.append({ type: 'task.received', at: new Date(clock).toISOString(), broker: 'redis', queue: rq, taskId: `r${i}` });
      clock += 5000;
      await sampler.tick();
      // Over the 10 s seen: 10 in, 4 out.
      expect(ratesOf()).toMatchObject({ enqueue: 1, dequeue: 0.4 });

      // A consumer that sends no events takes 2: the depth shows it.
      for (let i = 0; i < 2; i++) expect(await redis.rpop(rq)).not.toBeNull();
      clock += 5000;
      await sampler.tick();
      expect(ratesOf()).toMatchObject({ enqueue: 0.67, dequeue: 0.4 });

      // Events that arrive a sample late are not counted twice (the depth fell the sample before).
      for (let i = 0; i < 2; i++) expect(await redis.rpop(rq)).not.toBeNull();
      clock += 5000;
      await sampler.tick();
      for (let i = 0; i < 2; i++) await log.append({ type: 'task.received', at: new Date(clock).toISOString(), broker: 'redis', queue: rq, taskId: `l${i}` });
      clock += 5000;
      await sampler.tick();
      // 25 s: 10 in; out 4 (seen) + 2 (unseen) + 2 (seen late) = 8.
      expect(ratesOf()).toMatchObject({ enqueue: 0.4, dequeue: 0.32 });

      // Nothing happens for over a minute: both rates are 0, not unknown.
      clock += 61_000;
      await sampler.tick();
      clock += 5000;
      await sampler.tick();
      expect(ratesOf()).toMatchObject({ enqueue: 0, dequeue: 0 });
    } finally {
      unsubscribe();
      sampler.stop();
    }
  });

  it('are in the API listing too, not only in the live stream', async () => {
    const listed = async () => {
      const res = await call<{ queues: Queue[] }>(queuesRoute.GET, 'GET', '/api/v1/queues');
      expect(res.status).toBe(200);
      return res.body.queues.find((q) => q.broker === 'redis' && q.name === rqLive)!;
    };
    // The server's sampler, writing history every second: it samples without a tab open.
    await getSampler({ history: true });
    await waitFor('rates measured', async () => (await listed()).rates.enqueue !== null);
    await enqueue('redis', rqLive, 20);
    const queue = await waitFor('a positive enqueue rate', async () => {
      const q = await listed();
      return q.rates.enqueue !== null && q.rates.enqueue > 0 ? q : null;
    });
    expect(queue.rates.dequeue).not.toBeNull();
    const single = await call<Queue>(queueRoute.GET, 'GET', `/api/v1/queues/redis/${rqLive}`, { broker: 'redis', queue: rqLive });
    expect(single.body.rates.enqueue).not.toBeNull();
  });
});

describe('RabbitMQ rates', () => {
  it('a paused queue with no consumer reports no positive out rate, however often it is browsed', async () => {
    await enqueue('rabbitmq', rmq, 30, 3);
    const paused = await call(pauseRoute.POST, 'POST', `/api/v1/queues/rabbitmq/${rmq}/pause`, { broker: 'rabbitmq', queue: rmq }, {});
    expect(paused.status).toBe(200);
    const management = new URL(MANAGEMENT_URL);
    const auth = `Basic ${Buffer.from(`${decodeURIComponent(management.username)}:${decodeURIComponent(management.password)}`).toString('base64')}`;
    // Browse until RabbitMQ's own statistics show the reads as deliveries (they refresh every ~5 s).
    await waitFor(
      "RabbitMQ's deliver/get rate counting the browses",
      async () => {
        const page = await call(messagesRoute.GET, 'GET', `/api/v1/queues/rabbitmq/${rmq}/messages?limit=30`, { broker: 'rabbitmq', queue: rmq });
        expect(page.status).toBe(200);
        const res = await fetch(`${management.origin}/api/queues/%2F/${encodeURIComponent(rmq)}`, { headers: { authorization: auth } });
        const record = (await res.json()) as { consumers?: number; message_stats?: { deliver_get_details?: { rate?: number } } };
        return record.consumers === 0 && (record.message_stats?.deliver_get_details?.rate ?? 0) > 0;
      },
      60_000,
      500,
    );
    const single = await call<Queue>(queueRoute.GET, 'GET', `/api/v1/queues/rabbitmq/${rmq}`, { broker: 'rabbitmq', queue: rmq });
    expect(single.status).toBe(200);
    expect(single.body.paused).toBe(true);
    expect(single.body.consumers).toBe(0);
    expect(single.body.rates.dequeue ?? 0).toBeLessThanOrEqual(0);
    const listed = await call<{ queues: Queue[] }>(queuesRoute.GET, 'GET', '/api/v1/queues');
    expect(listed.body.queues.find((q) => q.name === rmq)!.rates.dequeue ?? 0).toBeLessThanOrEqual(0);
  });
});
