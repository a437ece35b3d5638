import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import amqp from 'amqplib';
import type { Redis } from 'ioredis';
import type { Health, Queue } from '@/lib/shared/types';
import { resetRuntime } from '@/lib/server/runtime';
import * as health from '@/app/api/v1/health/route';
import * as queues from '@/app/api/v1/queues/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { AMQP_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';
import { TcpProxy } from './tcp-proxy';

/** RabbitMQ reached through proxies that the test cuts and restores, like a broker restart. */
const amqpProxy = new TcpProxy(5672);
const managementProxy = new TcpProxy(15672);
const rq = uniqueName('deg-redis');
const rmq = uniqueName('deg-rabbit');
let redis: Redis;

const healthNow = async () => (await call<Health>(health.GET, 'GET', '/api/v1/health')).body;
const enqueue = (broker: string, q: string) =>
  call<{ ids: string[] }>(tasks.POST, 'POST', `/api/v1/queues/${broker}/${q}/tasks`, { broker, queue: q }, { task: 't', priority: 1 });

beforeAll(async () => {
  const amqpPort = await amqpProxy.start();
  const mgmtPort = await managementProxy.start();
  useConfig({
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: rq }] },
      {
        id: 'rabbitmq',
        kind: 'rabbitmq',
        url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
        managementUrl: `http://guest:guest@127.0.0.1:${mgmtPort}`,
        queues: [{ name: rmq, maxPriority: 10 }],
      },
    ],
  });
  redis = rawRedis();
});

afterAll(async () => {
  await resetRuntime();
  await amqpProxy.stop();
  await managementProxy.stop();
  await deleteKeysLike(redis, rq);
  await redis.quit();
  const connection = await amqp.connect(AMQP_URL);
  await (await connection.createChannel()).deleteQueue(rmq);
  await connection.close();
  delete process.env.TRIAGE_CONFIG;
});

describe('a broker outage', () => {
  it('degrades health with the reason, keeps Redis working, and recovers when RabbitMQ returns', async () => {
    await waitFor('both brokers up', async () => (await healthNow()).status === 'ok', 30_000);
    expect((await enqueue('rabbitmq', rmq)).status).toBe(201);

    await amqpProxy.stop();
    await managementProxy.stop();

    const degraded = await waitFor('health to degrade', async () => {
      const h = await healthNow();
      return h.status === 'degraded' ? h : null;
    }, 60_000);
    const rabbit = degraded.brokers.find((b) => b.id === 'rabbitmq')!;
    expect(rabbit.ok).toBe(false);
    expect(rabbit.error).toBeTruthy();
    expect(rabbit.hint).toMatch(/npm run services|rabbitmq-server/);
    expect(degraded.brokers.find((b) => b.id === 'redis')!.ok).toBe(true);

    // Redis keeps working; RabbitMQ calls fail fast with 503 and the error shape.
    expect((await enqueue('redis', rq)).status).toBe(201);
    const down = await enqueue('rabbitmq', rmq);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    const list = await call<{ queues: Queue[]; unavailable: { broker: string }[] }>(queues.GET, 'GET', '/api/v1/queues');
    expect(list.status).toBe(200);
    expect(list.body.queues.some((q) => q.name === rq && q.depth === 1)).toBe(true);
    expect(list.body.unavailable.map((u) => u.broker)).toContain('rabbitmq');

    await amqpProxy.start();
    await managementProxy.start();
    await waitFor('health to recover', async () => (await healthNow()).status === 'ok', 60_000);
    expect((await enqueue('rabbitmq', rmq)).status).toBe(201);
    // Both messages, from before and after the outage, are there (management stats lag a few seconds).
    const after = await waitFor('the queue to be listed again with both messages', async () => {
      const r = await call<{ queues: Queue[] }>(queues.GET, 'GET', '/api/v1/queues');
      const q = r.body.queues.find((x) => x.broker === 'rabbitmq' && x.name === rmq);
      // The management API can report the total before its per-priority split.
      return q && q.depth === 2 && q.byPriority['1'] === 2 ? q : null;
    }, 90_000);
    expect(after.byPriority['1']).toBe(2);
  });
});
