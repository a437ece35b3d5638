import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { resetRuntime } from '@/lib/server/runtime';
import { authStore } from '@/lib/server/auth';
import { createToken } from '@/lib/server/tokens';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { TEST_ADMIN_TOKEN, useConfig } from './api-client';
import { concretePath, discoverRoutes, invoke, isMutationMethod, requiredRole, type RouteMethod } from './routes-table';

/**
 * Access control on every route handler found under app/ (API and /metrics): no credentials → 401 (public routes
 * excepted), a role below the route's requirement → 403, the required role → neither.
 */

const prefix = `${uniqueName('routes')}:`;
const queue = uniqueName('routes-q');
let redis: Redis;
let routes: RouteMethod[] = [];
const bearer: Record<'viewer' | 'operator' | 'admin', Record<string, string>> = {
  viewer: {},
  operator: {},
  admin: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
};

/** Plausible values for dynamic segments; unknown names get a placeholder (404s are fine here). */
const SEGMENT_VALUES: Record<string, string> = {
  broker: 'redis',
  queue,
  id: randomUUID(),
  taskId: randomUUID(),
  archiveId: randomUUID(),
  name: `routes-probe-${randomUUID().slice(0, 8)}`,
  path: 'no/such/endpoint',
};

beforeAll(async () => {
  useConfig({
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [], discover: false },
    ],
    statePrefix: prefix,
  });
  redis = rawRedis();
  const store = await authStore();
  bearer.viewer = { authorization: `Bearer ${(await createToken(store, { name: 'routes-viewer', role: 'viewer' })).token}` };
  bearer.operator = { authorization: `Bearer ${(await createToken(store, { name: 'routes-operator', role: 'operator' })).token}` };
  routes = await discoverRoutes();
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

async function callAs(route: RouteMethod, headers: Record<string, string>) {
  const { url, params } = concretePath(route.folder, SEGMENT_VALUES);
  // An empty object: enough to get past authentication into validation, never a valid purge.
  const body = isMutationMethod(route.method) ? '{}' : undefined;
  return invoke(route.handler, route.method, url, params, { headers, body });
}

describe('every API route checks credentials and roles', () => {
  it('finds the route files on disk, including the known ones', () => {
    const found = routes.map((r) => `${r.method} ${r.folder}`);
    for (const known of ['GET /api/v1/health', 'GET /metrics', 'GET /api/v1/queues', 'POST /api/v1/queues/[broker]/[queue]/tasks', 'POST /api/v1/tokens', 'DELETE /api/v1/tokens/[name]', 'POST /api/v1/auth/login']) {
      expect(found).toContain(known);
    }
  });

  it('no credentials → 401, except public routes', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const role = requiredRole(route.method, route.folder);
      const res = await callAs(route, {});
      if (role === 'public' ? res.status === 401 : res.status !== 401) wrong.push(`${route.method} ${route.folder}: ${res.status} ${res.text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a bad or malformed bearer token → 401', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if (requiredRole(route.method, route.folder) === 'public') continue;
      for (const authorization of ['Bearer trg_not-a-real-token', 'Basic YWRtaW46YWRtaW4=', 'Bearer', `Bearer ${TEST_ADMIN_TOKEN}x`]) {
        const res = await callAs(route, { authorization });
        if (res.status !== 401) wrong.push(`${route.method} ${route.folder} with ${authorization}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a role below the requirement → 403; the required role and admin → neither 401 nor 403', async () => {
    const wrong: string[] = [];
    const order = ['viewer', 'operator', 'admin'] as const;
    for (const route of routes) {
      const role = requiredRole(route.method, route.folder);
      if (role === 'public') continue;
      for (const who of order) {
        const res = await callAs(route, bearer[who]);
        const allowed = order.indexOf(who) >= order.indexOf(role);
        const ok = allowed ? res.status !== 401 && res.status !== 403 : res.status === 403;
        if (!ok) wrong.push(`${route.method} ${route.folder} as ${who} (needs ${role}): ${res.status} ${res.text.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the table matches the contract where product.md names a role', () => {
    expect(requiredRole('POST', '/api/v1/queues/[broker]/[queue]/purge')).toBe('admin');
    expect(requiredRole('POST', '/api/v1/archives/[archiveId]/restore')).toBe('admin');
    expect(requiredRole('GET', '/api/v1/queues/[broker]/[queue]/archives')).toBe('viewer');
    expect(requiredRole('POST', '/api/v1/tokens')).toBe('admin');
    expect(requiredRole('DELETE', '/api/v1/tokens/[name]')).toBe('admin');
    expect(requiredRole('POST', '/api/v1/queues/[broker]/[queue]/drain')).toBe('operator');
    expect(requiredRole('POST', '/api/v1/tasks/[id]/retry')).toBe('operator');
    expect(requiredRole('GET', '/api/v1/audit')).toBe('viewer');
    // A route nobody has written yet still gets a rule.
    expect(requiredRole('PATCH', '/api/v1/something/new')).toBe('operator');
  });
});
