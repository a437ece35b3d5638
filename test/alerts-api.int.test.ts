import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { alertCenter } from '@/lib/server/alerts';
import { resetRuntime } from '@/lib/server/runtime';
import { stopSampler } from '@/lib/server/sampler';
import { authStore } from '@/lib/server/auth';
import { createToken } from '@/lib/server/tokens';
import { startReceiver, type TestReceiver } from './webhook-receiver';
import type { AlertList, AlertsConfigView, WebhookTestResult } from '@/lib/shared/alerts';
import type { AuditEntry } from '@/lib/shared/types';
import * as alertsRoute from '@/app/api/v1/alerts/route';
import * as configRoute from '@/app/api/v1/alerts/config/route';
import * as testRoute from '@/app/api/v1/alerts/test/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { call, useConfig } from './api-client';

/** GET /api/v1/alerts, PUT /api/v1/alerts/config, POST /api/v1/alerts/test (issue 20): roles, validation, secrets, audit. */

const prefix = `${uniqueName('alerts-api')}:`;
const SECRET = 'api-test-secret-0123456789';
let redis: Redis;
let operator: string;
let viewer: string;
let good: TestReceiver;
let failing: TestReceiver;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  useConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [], discover: false }], statePrefix: prefix });
  redis = rawRedis();
  const store = await authStore();
  operator = (await createToken(store, { name: 'alerts-operator', role: 'operator' })).token;
  viewer = (await createToken(store, { name: 'alerts-viewer', role: 'viewer' })).token;
  good = await startReceiver();
  failing = await startReceiver([500]);
});

afterAll(async () => {
  stopSampler();
  await resetRuntime();
  await good.close();
  await failing.close();
  await deleteKeysLike(redis, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('alerts API', () => {
  it('lists no alerts to a viewer at first; the settings are admin only', async () => {
    expect(await call(alertsRoute.GET, 'GET', '/api/v1/alerts', {}, undefined, bearer(viewer))).toEqual({ status: 200, body: { active: [], recent: [] } });
    expect((await call(configRoute.GET, 'GET', '/api/v1/alerts/config', {}, undefined, bearer(operator))).status).toBe(403);
    expect((await call(configRoute.PUT, 'PUT', '/api/v1/alerts/config', {}, { webhooks: [] }, bearer(operator))).status).toBe(403);
    expect((await call(testRoute.POST, 'POST', '/api/v1/alerts/test', {}, undefined, bearer(viewer))).status).toBe(403);
  });

  it('refuses bad settings with a 400 naming the problem, and changes nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ webhooks: [{ url: 'ftp://example.com/x', format: 'json' }] }, /absolute http\(s\) URL/],
      [{ webhooks: [{ url: 'https://example.com/x', format: 'teams' }] }, /format must be "json" or "slack"/],
      [{ webhooks: [{ url: 'https://example.com/x', format: 'json', secret: 'short' }] }, /at least 16 characters/],
      [{ webhooks: [{ url: 'https://example.com/x', format: 'json' }, { url: 'https://example.com/x', format: 'slack' }] }, /each webhook url may appear once/],
      [{ webhooks: [{ url: 'https://example.com/x', format: 'json', extra: 1 }] }, /extra|unrecognized/i],
      [{}, /webhooks/],
    ];
    for (const [body, message] of cases) {
      const res = await call<{ error: { code: string; message: string } }>(configRoute.PUT, 'PUT', '/api/v1/alerts/config', {}, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('INVALID');
      expect(`${res.body.error.message} ${JSON.stringify(res.body)}`).toMatch(message);
    }
    expect((await call<AlertsConfigView>(configRoute.GET, 'GET', '/api/v1/alerts/config')).body).toEqual({ webhooks: [] });
  });

  it('saves webhooks without ever answering the secret, tests each one, and audits both', async () => {
    const put = await call<AlertsConfigView>(configRoute.PUT, 'PUT', '/api/v1/alerts/config', {}, {
      webhooks: [{ url: good.url, format: 'json', secret: SECRET }, { url: failing.url, format: 'slack' }],
    });
    expect(put).toEqual({ status: 200, body: { webhooks: [{ url: good.url, format: 'json', hasSecret: true }, { url: failing.url, format: 'slack', hasSecret: false }] } });
    const got = await call<AlertsConfigView>(configRoute.GET, 'GET', '/api/v1/alerts/config');
    expect(got.body).toEqual(put.body);
    expect(JSON.stringify(got.body)).not.toContain(SECRET);

    const test = await call<{ results: WebhookTestResult[] }>(testRoute.POST, 'POST', '/api/v1/alerts/test', {}, undefined, bearer(operator));
    expect(test.status).toBe(200);
    expect(test.body.results.map(({ url, ok, status }) => ({ url, ok, status }))).toEqual([
      { url: good.url, ok: true, status: 200 },
      { url: failing.url, ok: false, status: 500 },
    ]);
    expect(test.body.results[1]!.error).toBe('the receiver answered 500');
    expect(good.received).toHaveLength(1);
    const sample = good.received[0]!;
    expect((JSON.parse(sample.body) as { event: string }).event).toBe('test');
    const timestamp = String(sample.headers['x-triage-timestamp']);
    expect(sample.headers['x-triage-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${sample.body}`).digest('hex')}`);
    expect((JSON.parse(failing.received[0]!.body) as { text: string }).text).toContain('Test notification');

    const entries = (await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=50')).body.entries;
    const config = entries.find((e) => e.action === 'alerts.config');
    expect(config).toMatchObject({ actor: 'TRIAGE_ADMIN_TOKEN', params: { webhooks: [{ origin: new URL(good.url).origin, format: 'json', secret: 'set' }, { format: 'slack', secret: 'kept' }] } });
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(JSON.stringify(config)).not.toContain('/hook');
    expect(entries.find((e) => e.action === 'alerts.test')).toMatchObject({ actor: 'alerts-operator', role: 'operator', result: { sent: 2, delivered: 1 } });
  });

  it('shows a raised alert to viewers with its deliveries, webhook paths hidden', async () => {
    expect(await alertCenter().raise({ key: 'slo:redis/celery/high', kind: 'slo', severity: 'critical', summary: 'celery high band waits 40 s (SLO 30 s)', link: '/queues/redis/celery' })).toBe(true);
    const res = await call<AlertList>(alertsRoute.GET, 'GET', '/api/v1/alerts', {}, undefined, bearer(viewer));
    expect(res.status).toBe(200);
    expect(res.body.active).toHaveLength(1);
    expect(res.body.active[0]).toMatchObject({ key: 'slo:redis/celery/high', kind: 'slo', state: 'active', link: '/queues/redis/celery' });
    expect(res.body.active[0]!.deliveries.map((d) => [d.event, d.url, d.status])).toEqual([
      ['firing', new URL(good.url).origin, 'pending'],
      ['firing', new URL(failing.url).origin, 'pending'],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('/hook');
    await expect(alertCenter().raise({ key: 'celery-high', kind: 'slo', severity: 'critical', summary: 'x' })).rejects.toThrow(/starts with its kind/);
  });
});
