import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authStore } from '@/lib/server/auth';
import { resetRuntime } from '@/lib/server/runtime';
import { createToken } from '@/lib/server/tokens';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { TEST_ADMIN_TOKEN, useConfig } from './api-client';
import { concretePath, discoverRoutes, endlessBody, invoke, isMutationMethod, requiredRole, type RouteMethod } from './routes-table';

/**
 * Issue #17's rules applied to every route found on disk (test/routes-table.ts), so a route
 * added later is held to them without being listed: bounded request bodies, reserved and
 * over-long queue names, refusals in the security log, and the anonymous health shape.
 */

const prefix = `${uniqueName('rules-state')}:`;
const kombuPrefix = `${uniqueName('rules-kombu')}:`;
const queue = uniqueName('rules-q');
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let viewer: Record<string, string> = {};
let viewerName = '';
let redis: Redis;
let routes: RouteMethod[] = [];

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

beforeAll(async () => {
  useConfig({
    statePrefix: prefix,
    brokers: [
      { id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false },
      { id: 'kombu', kind: 'redis', url: REDIS_URL, globalKeyprefix: kombuPrefix, queues: [{ name: 'celery' }], discover: false },
      { id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [], discover: false },
      // Down on purpose: its error text names a host and port that anonymous callers must not see.
      { id: 'down', kind: 'redis', url: 'redis://127.0.0.1:1/0', queues: [], discover: false },
    ],
  });
  redis = rawRedis();
  viewerName = `rules-viewer-${queue.slice(-8)}`;
  viewer = { authorization: `Bearer ${(await createToken(await authStore(), { name: viewerName, role: 'viewer' })).token}` };
  routes = await discoverRoutes();
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, kombuPrefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

const segmentValues = (values: Record<string, string>) => ({ broker: 'redis', queue, id: 'no-such-id', taskId: 'no-such-task', archiveId: '00000000-0000-4000-8000-000000000000', name: 'no-such-name', path: 'no/such/endpoint', ...values });

describe('#17.11 every route that takes a body: a streamed body over the limit', () => {
  it('is refused with 413 and the error shape after reading at most about 1 MiB, or not read at all', async () => {
    const wrong: string[] = [];
    let refused = 0;
    for (const route of routes.filter((r) => isMutationMethod(r.method))) {
      const { url, params } = concretePath(route.folder, segmentValues({}));
      const { stream, counter } = endlessBody(40 * 1024 * 1024);
      const request = new Request(`http://localhost${url}`, {
        method: route.method,
        headers: { 'content-type': 'application/json', origin: 'http://localhost', ...admin },
        body: stream,
        duplex: 'half',
      } as RequestInit & { duplex: 'half' });
      const response = await route.handler(request, { params: Promise.resolve(params) });
      const text = await response.text();
      await stream.cancel().catch(() => {});
      const label = `${route.method} ${route.folder}: ${response.status} after ${counter.pulled} bytes`;
      // Read past the limit: the server buffered what it should have refused.
      if (counter.pulled > 2 * 1024 * 1024) wrong.push(`${label} (read too much)`);
      if (response.status === 413) {
        refused += 1;
        const body = JSON.parse(text) as ErrorBody;
        if (body.error?.code !== 'TOO_LARGE' || typeof body.error.message !== 'string') wrong.push(`${label}: ${text.slice(0, 160)}`);
      } else if (counter.pulled > 64 * 1024 || response.status >= 500) {
        // Anything else only from a route that never looked at its body (the stream's first, eager pull aside).
        wrong.push(`${label} (read the body but did not refuse it): ${text.slice(0, 160)}`);
      }
    }
    expect(wrong).toEqual([]);
    // The queue actions, tasks, tokens, users, login...: most mutations take a body.
    expect(refused).toBeGreaterThanOrEqual(10);
  });
});

describe('#17.9 and #17.14 every [queue] route: reserved and over-long names', () => {
  const queueRoutes = () => routes.filter((r) => r.segments.includes('queue'));
  /** A body that passes validation, so the name is what gets refused; {} for actions without required fields. */
  const bodyFor = (route: RouteMethod, name: string, broker: string): string | undefined => {
    if (!isMutationMethod(route.method)) return undefined;
    const action = route.folder.split('/').pop();
    const bodies: Record<string, unknown> = {
      tasks: { task: 'a.task' },
      purge: { confirm: name },
      delete: { match: { task: 'a.task' } },
      reprioritize: { priority: 0 },
      move: { to: { broker, queue: broker === 'rabbitmq' ? 'triage-rules-target' : queue } },
    };
    return JSON.stringify(bodies[action ?? ''] ?? {});
  };
  const callWith = (route: RouteMethod, broker: string, name: string) => {
    const { url, params } = concretePath(route.folder, segmentValues({ broker, queue: name }));
    return invoke(route.handler, route.method, url, params, { headers: admin, body: bodyFor(route, name, broker) });
  };

  it('finds the queue routes, the actions and the single queue among them', () => {
    const found = queueRoutes().map((r) => `${r.method} ${r.folder.replace('/api/v1/queues/[broker]/[queue]', '')}`);
    for (const known of ['GET ', 'GET /messages', 'POST /tasks', 'POST /reprioritize', 'POST /move', 'POST /drain', 'POST /restore', 'POST /purge', 'POST /delete', 'POST /pause', 'POST /resume', 'POST /retry', 'GET /archives', 'GET /history']) {
      expect(found).toContain(known);
    }
  });

  it('a kombu-internal or state-prefixed Redis name → 422 with the error shape, changing nothing', async () => {
    const before = (await redis.keys(`${kombuPrefix}*`)).sort();
    const stateKey = `${prefix}rules-probe`;
    const wrong: string[] = [];
    for (const route of queueRoutes()) {
      for (const [broker, name] of [
        ['kombu', 'unacked'],
        ['kombu', '_kombu.binding.celery'],
        ['kombu', 'unacked_index'],
        ['redis', stateKey],
      ] as const) {
        const res = await callWith(route, broker, name);
        const body = JSON.parse(res.text || '{}') as Partial<ErrorBody>;
        if (res.status !== 422 || typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') {
          wrong.push(`${route.method} ${route.folder} ${broker}/${name}: ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect((await redis.keys(`${kombuPrefix}*`)).sort()).toEqual(before);
    expect(await redis.exists(stateKey)).toBe(0);
  });

  it('a RabbitMQ name of 255 "é" (510 bytes) → 400 with the error shape', async () => {
    const name = 'é'.repeat(255);
    const wrong: string[] = [];
    for (const route of queueRoutes()) {
      const res = await callWith(route, 'rabbitmq', name);
      const body = JSON.parse(res.text || '{}') as Partial<ErrorBody>;
      if (res.status !== 400 || typeof body.error?.code !== 'string') wrong.push(`${route.method} ${route.folder}: ${res.status} ${res.text.slice(0, 160)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('#17 refusals are written down: every route a viewer may not call', () => {
  it('answers the viewer 403 and records it in the security log (kind denied) with method and path', async () => {
    const forbidden = routes.filter((r) => !['public', 'viewer'].includes(requiredRole(r.method, r.folder)));
    expect(forbidden.length).toBeGreaterThan(10);
    const expected: string[] = [];
    const wrong: string[] = [];
    for (const route of forbidden) {
      const { url, params } = concretePath(route.folder, segmentValues({}));
      const res = await invoke(route.handler, route.method, url, params, { headers: viewer, body: isMutationMethod(route.method) ? '{}' : undefined });
      if (res.status !== 403) wrong.push(`${route.method} ${route.folder}: ${res.status}`);
      expected.push(`${route.method} ${new URL(`http://localhost${url}`).pathname}`);
    }
    expect(wrong).toEqual([]);

    const logRoute = routes.find((r) => r.method === 'GET' && r.folder === '/api/v1/security-log')!;
    const recorded: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?kind=denied&actor=${viewerName}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await invoke(logRoute.handler, 'GET', `/api/v1/security-log${query}`, {}, { headers: admin });
      expect(res.status).toBe(200);
      const page = JSON.parse(res.text) as { entries: { kind: string; actor: string; action: string }[]; nextCursor: string | null };
      for (const entry of page.entries) if (entry.kind === 'denied' && entry.actor === viewerName) recorded.push(entry.action);
      cursor = page.nextCursor;
    } while (cursor);
    expect(expected.filter((action) => !recorded.includes(action))).toEqual([]);
  });
});

describe('#17 anonymous health', () => {
  it('has only status and brokers: id, kind, ok, latencyMs (no versions, URLs or error texts), a broker down included', async () => {
    const health = routes.find((r) => r.method === 'GET' && r.folder === '/api/v1/health')!;
    const res = await invoke(health.handler, 'GET', '/api/v1/health', {}, { headers: {} });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { status: string; brokers: Record<string, unknown>[] };
    expect(Object.keys(body).sort()).toEqual(['brokers', 'status']);
    expect(body.brokers.map((b) => b.id).sort()).toEqual(['down', 'kombu', 'rabbitmq', 'redis']);
    for (const broker of body.brokers) {
      expect(Object.keys(broker).sort()).toEqual(['id', 'kind', 'latencyMs', 'ok']);
      expect(typeof broker.ok).toBe('boolean');
    }
    expect(body.brokers.find((b) => b.id === 'down')?.ok).toBe(false);
    expect(res.text).not.toMatch(/127\.0\.0\.1|redis:\/\/|amqp:\/\/|http:\/\/|ECONNREFUSED|version/i);
    // A signed-in caller does get the details.
    const full = await invoke(health.handler, 'GET', '/api/v1/health', {}, { headers: admin });
    expect(full.text).toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });
});
