import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authStore } from '@/lib/server/auth';
import { resetRuntime } from '@/lib/server/runtime';
import { createToken } from '@/lib/server/tokens';
import * as tokenRoute from '@/app/api/v1/tokens/[name]/route';
import * as purgeRoute from '@/app/api/v1/queues/[broker]/[queue]/purge/route';
import * as archivesRoute from '@/app/api/v1/queues/[broker]/[queue]/archives/route';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { call, useConfig } from './api-client';
import { fillRedis, readRedis } from './control/helpers';

/**
 * Issue #17.9: an error inside a MULTI is a failure. ioredis hands such errors back as
 * reply pairs, so a key of the wrong type under the state prefix (what a drain into it
 * used to leave) must make the request fail instead of being reported as done.
 */

const prefix = `${uniqueName('multi-state')}:`;
const queue = uniqueName('multi-q');
let redis: Redis;

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

beforeAll(() => {
  useConfig({ statePrefix: prefix, brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }] });
  redis = rawRedis();
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('an error inside a MULTI fails the request', () => {
  it('token revoke: a wrong-typed key in the revoke transaction answers an error, not 204', async () => {
    const store = await authStore();
    await createToken(store, { name: 'multi-revoke', role: 'viewer' });
    await redis.set(store.keys.tokenLastUsed, 'not a hash');
    const res = await call<ErrorBody>(tokenRoute.DELETE, 'DELETE', '/api/v1/tokens/multi-revoke', { name: 'multi-revoke' });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.stringContaining('WRONGTYPE') });
    await redis.del(store.keys.tokenLastUsed);
  });

  it('purge: an archive index of the wrong type fails the purge before a message is taken', async () => {
    await fillRedis(redis, queue, [0, 3, 6, 9]);
    const before = (await readRedis(redis, queue)).map((e) => e.raw);
    const index = `${prefix}archives:redis/${queue}`;
    await redis.set(index, 'not a sorted set');
    const params = { broker: 'redis', queue };
    const res = await call<ErrorBody>(purgeRoute.POST, 'POST', `/api/v1/queues/redis/${queue}/purge`, params, { confirm: queue });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain('WRONGTYPE');
    expect((await readRedis(redis, queue)).map((e) => e.raw)).toEqual(before);
    // Once the key is sane again, the purge works and its archive is listed.
    await redis.del(index);
    const ok = await call<{ deleted: number; archiveId: string }>(purgeRoute.POST, 'POST', `/api/v1/queues/redis/${queue}/purge`, params, { confirm: queue });
    expect(ok.body.deleted).toBe(4);
    const listed = await call<{ archives: { id: string; count: number }[] }>(archivesRoute.GET, 'GET', `/api/v1/queues/redis/${queue}/archives`, params);
    expect(listed.body.archives).toEqual([expect.objectContaining({ id: ok.body.archiveId, count: 4 })]);
  });
});
