import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import type { Queue } from '@/lib/shared/types';
import * as queues from '@/app/api/v1/queues/route';
import * as queue from '@/app/api/v1/queues/[broker]/[queue]/route';
import * as pause from '@/app/api/v1/queues/[broker]/[queue]/pause/route';
import * as resume from '@/app/api/v1/queues/[broker]/[queue]/resume/route';
import { call, writeTestConfig } from './api-client';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';

const q = uniqueName('state');
const prefix = `${uniqueName('st')}:`;
const workerId = `${q}-worker`;
let redis: Redis;

beforeAll(() => {
  process.env.TRIAGE_STATE_PREFIX = prefix;
  writeTestConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: q }] }] });
  redis = rawRedis();
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, q, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
  delete process.env.TRIAGE_STATE_PREFIX;
});

const getOne = async () => (await call<Queue>(queue.GET, 'GET', `/api/v1/queues/redis/${q}`, { broker: 'redis', queue: q })).body;
const listed = async () => (await call<{ queues: Queue[] }>(queues.GET, 'GET', '/api/v1/queues')).body.queues.find((x) => x.name === q)!;

describe('queue listing with Triage state', () => {
  it('shows a pause on every read path, and live Triage workers as consumers on Redis', async () => {
    expect((await getOne()).paused).toBe(false);
    expect((await getOne()).consumers).toBeNull();

    const paused = await call<Queue>(pause.POST, 'POST', `/api/v1/queues/redis/${q}/pause`, { broker: 'redis', queue: q });
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect((await getOne()).paused).toBe(true);
    expect((await listed()).paused).toBe(true);

    const now = new Date().toISOString();
    await runtime().state.workers.put({
      id: workerId, hostname: 'h', pid: 1, broker: 'redis', queues: [q], concurrency: 3, prefetch: 1, active: 0, processed: 0, failed: 0,
      paused: true, pausedQueues: [q], state: 'online', startedAt: now, lastHeartbeatAt: now, heartbeatIntervalMs: 2000,
    });
    expect((await getOne()).consumers).toBe(3);
    expect((await listed()).consumers).toBe(3);

    await call(resume.POST, 'POST', `/api/v1/queues/redis/${q}/resume`, { broker: 'redis', queue: q });
    expect((await listed()).paused).toBe(false);
  });
});
