import { connect } from 'amqplib';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@/lib/config';
import { resetRuntime } from '@/lib/server/runtime';
import type { Queue } from '@/lib/shared/types';
import * as queuesRoute from '@/app/api/v1/queues/route';
import * as queueRoute from '@/app/api/v1/queues/[broker]/[queue]/route';
import * as tasksRoute from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { AMQP_URL, MANAGEMENT_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';

/**
 * Issue #17 item 15: with AMQP_URL naming a vhost, the management API calls (listing,
 * counts) must look at that vhost too, not at "/". A vhost of its own is made for this file
 * through the management API and deleted afterwards.
 */

const vhost = uniqueName('h7-vhost');
const inVhost = uniqueName('vh-in');
const inDefault = uniqueName('vh-default');
const prefix = `${uniqueName('vhost-state')}:`;
const management = new URL(MANAGEMENT_URL);
const auth = `Basic ${Buffer.from(`${decodeURIComponent(management.username)}:${decodeURIComponent(management.password)}`).toString('base64')}`;
const vhostUrl = `${AMQP_URL.replace(/\/+$/, '')}/${encodeURIComponent(vhost)}`;
let redis: Redis;

async function managementCall(method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(`${management.origin}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok && response.status !== 404) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
}

async function declare(url: string, queue: string, messages: number): Promise<void> {
  const connection = await connect(url);
  const ch = await connection.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-max-priority': 10 } });
  for (let i = 0; i < messages; i++) ch.sendToQueue(queue, Buffer.from('[[], {}, {}]'), { priority: 5 });
  await ch.waitForConfirms();
  await connection.close();
}

beforeAll(async () => {
  await managementCall('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
  await managementCall('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(decodeURIComponent(management.username))}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  await declare(vhostUrl, inVhost, 3);
  await declare(AMQP_URL, inDefault, 2);
  useConfig({
    statePrefix: prefix,
    brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', url: vhostUrl, managementUrl: MANAGEMENT_URL }],
  });
  redis = rawRedis();
});

afterAll(async () => {
  await resetRuntime();
  await managementCall('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`);
  await managementCall('DELETE', `/api/queues/%2F/${encodeURIComponent(inDefault)}`);
  await deleteKeysLike(redis, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('RabbitMQ vhost from the AMQP URL', () => {
  it("lists and counts only that vhost's queues, and acts on the same vhost", async () => {
    const listed = await waitFor('the vhost queue listed with its depth', async () => {
      const res = await call<{ queues: Queue[] }>(queuesRoute.GET, 'GET', '/api/v1/queues');
      expect(res.status).toBe(200);
      const names = res.body.queues.map((q) => q.name);
      // Never the default vhost's queue, at any moment.
      expect(names).not.toContain(inDefault);
      const mine = res.body.queues.find((q) => q.name === inVhost);
      return mine && mine.depth === 3 ? res.body.queues : null;
    });
    expect(listed.every((q) => q.broker === 'rabbitmq')).toBe(true);

    const one = await call<Queue>(queueRoute.GET, 'GET', `/api/v1/queues/rabbitmq/${inVhost}`, { broker: 'rabbitmq', queue: inVhost });
    expect(one.status).toBe(200);
    expect(one.body.details.exactDepth).toBe(3);
    const other = await call(queueRoute.GET, 'GET', `/api/v1/queues/rabbitmq/${inDefault}`, { broker: 'rabbitmq', queue: inDefault });
    expect(other.status).toBe(404);

    // An enqueue lands in the vhost's queue, and the count the dashboard shows follows it.
    const enqueued = await call<{ ids: string[] }>(tasksRoute.POST, 'POST', `/api/v1/queues/rabbitmq/${inVhost}/tasks`, { broker: 'rabbitmq', queue: inVhost }, { task: 'a.task', count: 2 });
    expect(enqueued.status).toBe(201);
    const after = await call<Queue>(queueRoute.GET, 'GET', `/api/v1/queues/rabbitmq/${inVhost}`, { broker: 'rabbitmq', queue: inVhost });
    expect(after.body.details.exactDepth).toBe(5);
  });

  it('takes the vhost from AMQP_URL and refuses a config whose vhost disagrees', () => {
    const env = { NODE_ENV: 'test' as const, AMQP_URL: vhostUrl, TRIAGE_BROKERS: 'rabbitmq' };
    const config = loadConfig(env);
    const rabbit = config.brokers.find((b) => b.kind === 'rabbitmq');
    expect(rabbit).toMatchObject({ url: vhostUrl });

    const conflicting = useConfig({ brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', url: vhostUrl, vhost: 'other' }] });
    expect(() => loadConfig({ NODE_ENV: 'test', TRIAGE_CONFIG: conflicting })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', TRIAGE_CONFIG: conflicting })).toThrow(/vhost/);
    // Restore this file's config for the runtime.
    useConfig({ statePrefix: prefix, brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', url: vhostUrl, managementUrl: MANAGEMENT_URL }] });
  });
});
