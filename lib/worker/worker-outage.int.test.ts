import { afterEach, describe, expect, it } from 'vitest';
import { createBroker } from '@/lib/brokers/registry';
import { RabbitBrokerConfigSchema } from '@/lib/brokers/rabbitmq/config';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '@/test/support';
import { TcpProxy } from '@/test/tcp-proxy';
import { WorkerHarness } from './test-harness';

/**
 * A worker whose broker connection drops (broker restart, network cut) reconnects by
 * itself and carries on: tasks enqueued before, during and after the outage all run.
 */
let harness: WorkerHarness | null = null;
let proxy: TcpProxy | null = null;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await proxy?.stop();
  proxy = null;
  await harness?.cleanup();
  harness = null;
  for (const close of closers.splice(0)) await close().catch(() => {});
});

async function outageRun(brokerId: 'redis' | 'rabbitmq') {
  const q = uniqueName(`w-out-${brokerId}`);
  const target = new URL(brokerId === 'redis' ? REDIS_URL : AMQP_URL);
  proxy = new TcpProxy(Number(target.port || (brokerId === 'redis' ? 6379 : 5672)), target.hostname);
  const port = await proxy.start();
  const proxied = new URL(target.toString());
  proxied.port = String(port);
  harness =
    brokerId === 'redis'
      ? new WorkerHarness({ redisUrl: REDIS_URL, amqpUrl: AMQP_URL, managementUrl: MANAGEMENT_URL, redis: { url: proxied.toString(), queues: [{ name: q }] } })
      : new WorkerHarness({ redisUrl: REDIS_URL, amqpUrl: proxied.toString(), managementUrl: MANAGEMENT_URL, rabbit: { queues: [{ name: q, maxPriority: 10 }] } });
  const h = harness;
  // The producer talks to the real broker, not through the proxy.
  const producer = createBroker(
    brokerId === 'redis'
      ? RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: q }] })
      : RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: q, maxPriority: 10 }] }),
  );
  await producer.connect();
  closers.push(() => producer.close());
  if (brokerId === 'rabbitmq') {
    closers.push(async () => {
      const { connect } = await import('amqplib');
      const model = await connect(AMQP_URL);
      const channel = await model.createChannel();
      await channel.deleteQueue(q);
      await channel.deleteQueue(`${q}.dead`);
      await model.close();
    });
  }
  const task = () => ({ priority: 3, spec: { task: 'triage.tasks.noop' } });
  await h.spawnWorker({ broker: brokerId, queues: [q], concurrency: 2 });
  await producer.enqueue(q, [task(), task()]);
  await waitFor('2 tasks before the outage', async () => (await h.taskEvents('task.succeeded', q)).length === 2);
  await proxy.stop();
  await producer.enqueue(q, [task(), task()]);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await proxy.start();
  await producer.enqueue(q, [task(), task()]);
  await waitFor('all 6 tasks after the outage', async () => new Set((await h.taskEvents('task.succeeded', q)).map((e) => e.taskId)).size === 6, 45_000);
  return (await h.taskEvents('task.succeeded', q)).length;
}

describe('worker through a broker outage', () => {
  it('Redis: reconnects and runs everything', async () => {
    expect(await outageRun('redis')).toBeGreaterThanOrEqual(6);
  });

  it('RabbitMQ: reconnects and runs everything', async () => {
    expect(await outageRun('rabbitmq')).toBeGreaterThanOrEqual(6);
  });
});
