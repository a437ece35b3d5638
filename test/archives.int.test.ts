import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import { authStore } from '@/lib/server/auth';
import { createToken } from '@/lib/server/tokens';
import type { ArchiveInfo } from '@/lib/shared/types';
import { stateKeys } from '@/lib/state/keys';
import * as purgeRoute from '@/app/api/v1/queues/[broker]/[queue]/purge/route';
import * as archivesRoute from '@/app/api/v1/queues/[broker]/[queue]/archives/route';
import * as archiveRestoreRoute from '@/app/api/v1/archives/[archiveId]/restore/route';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { call, useConfig } from './api-client';
import { fillRedis, readRedis } from './control/helpers';

/**
 * GET /api/v1/queues/{broker}/{queue}/archives: a queue's restorable purges, so a purge can be
 * undone after its dialog is closed. Real Redis; purges and restores through their routes.
 */

const qa = uniqueName('arch-a');
const qb = uniqueName('arch-b');
const qEmpty = uniqueName('arch-empty');
const prefix = `${uniqueName('arch-state')}:`;
const adminName = uniqueName('arch-admin');
let redis: Redis;
const auth: Record<'viewer' | 'admin', Record<string, string>> = { viewer: {}, admin: {} };

beforeAll(async () => {
  useConfig({
    statePrefix: prefix,
    brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: qa }, { name: qb }, { name: qEmpty }], discover: false }],
  });
  redis = rawRedis();
  const store = await authStore();
  auth.viewer = { authorization: `Bearer ${(await createToken(store, { name: uniqueName('arch-viewer'), role: 'viewer' })).token}` };
  auth.admin = { authorization: `Bearer ${(await createToken(store, { name: adminName, role: 'admin' })).token}` };
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, qa, qb, qEmpty, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

async function purge(queue: string): Promise<string> {
  const res = await call<{ deleted: number; archiveId: string }>(purgeRoute.POST, 'POST', `/api/v1/queues/redis/${queue}/purge`, { broker: 'redis', queue }, { confirm: queue }, auth.admin);
  expect(res.status).toBe(200);
  return res.body.archiveId;
}

async function list(queue: string, broker = 'redis', who: Record<string, string> = auth.viewer) {
  return call<{ archives: ArchiveInfo[] }>(archivesRoute.GET, 'GET', `/api/v1/queues/${broker}/${queue}/archives`, { broker, queue }, undefined, who);
}

describe('GET /api/v1/queues/{broker}/{queue}/archives', () => {
  it("lists a queue's restorable purges, newest first, with who, when, how many and until when", async () => {
    await fillRedis(redis, qa, [0, 3, 9]);
    const first = await purge(qa);
    await fillRedis(redis, qa, [6, 6]);
    const second = await purge(qa);
    await fillRedis(redis, qb, [1]);
    const other = await purge(qb);

    const res = await list(qa);
    expect(res.status).toBe(200);
    expect(res.body.archives.map((a) => [a.id, a.count])).toEqual([
      [second, 2],
      [first, 3],
    ]);
    for (const archive of res.body.archives) {
      expect(archive).toMatchObject({ broker: 'redis', queue: qa, actor: adminName });
      const created = Date.parse(archive.createdAt);
      expect(Math.abs(Date.now() - created)).toBeLessThan(60_000);
      expect(Date.parse(archive.expiresAt) - created).toBe(24 * 3600 * 1000);
    }
    expect((await list(qb)).body.archives.map((a) => a.id)).toEqual([other]);
  });

  it('drops an archive once restored, and one whose keys expired', async () => {
    await fillRedis(redis, qb, [0, 0]);
    const id = await purge(qb);
    expect((await list(qb)).body.archives.map((a) => a.id)).toContain(id);

    const restored = await call<{ restored: number }>(archiveRestoreRoute.POST, 'POST', `/api/v1/archives/${id}/restore`, { archiveId: id }, {}, auth.admin);
    expect(restored).toMatchObject({ status: 200, body: { restored: 2 } });
    expect((await list(qb)).body.archives.map((a) => a.id)).not.toContain(id);
    expect((await readRedis(redis, qb)).length).toBe(2);

    // Redis expires the archive's own keys after 24 h; the listing must not outlive them.
    const before = (await list(qb)).body.archives;
    expect(before.length).toBeGreaterThan(0);
    const keys = stateKeys(prefix);
    await redis.del(keys.archive(before[0]!.id), keys.archiveMeta(before[0]!.id));
    expect((await list(qb)).body.archives.map((a) => a.id)).not.toContain(before[0]!.id);
  });

  it('lists nothing for a purge that found nothing, or a queue never purged', async () => {
    await purge(qEmpty);
    expect(await list(qEmpty)).toEqual({ status: 200, body: { archives: [] } });
    expect(await list(uniqueName('arch-never'))).toEqual({ status: 200, body: { archives: [] } });
  });

  it('answers 404 for an unknown broker and 401 without credentials', async () => {
    const unknown = await list(qa, 'no-such-broker');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await list(qa, 'redis', { authorization: '' })).status).toBe(401);
  });
});
