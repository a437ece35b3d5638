import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { peerHeaderValue } from '@/lib/server/peer';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import { stopSampler } from '@/lib/server/sampler';
import { authStore } from '@/lib/server/auth';
import { createToken } from '@/lib/server/tokens';
import { createUser } from '@/lib/server/users';
import type { AuditEntry, Health } from '@/lib/shared/types';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as securityRoute from '@/app/api/v1/security-log/route';
import * as healthRoute from '@/app/api/v1/health/route';
import * as loginRoute from '@/app/api/v1/auth/login/route';
import * as tokensRoute from '@/app/api/v1/tokens/route';
import * as tokenRoute from '@/app/api/v1/tokens/[name]/route';
import * as usersRoute from '@/app/api/v1/users/route';
import * as userRoute from '@/app/api/v1/users/[name]/route';
import * as tasksRoute from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import * as deleteRoute from '@/app/api/v1/queues/[broker]/[queue]/delete/route';
import * as pauseRoute from '@/app/api/v1/queues/[broker]/[queue]/pause/route';
import * as resumeRoute from '@/app/api/v1/queues/[broker]/[queue]/resume/route';
import * as metricsRoute from '@/app/metrics/route';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';
import { call, useConfig } from './api-client';

/**
 * What the audit and security logs record (issue #17, items 16-18): every mutation that
 * succeeded in the audit log; failed operations, failed logins and 403s in the security log,
 * capped on its own so a flood of failures never pushes real history out; the public health
 * check shows status only. Real Redis, route handlers called with real Requests.
 */

const prefix = `${uniqueName('sec-state')}:`;
const queue = uniqueName('sec-q');
/** Lowered so the flood test stays quick; the default is 100,000 like the audit log. */
const SECURITY_CAP = 200;
let redis: Redis;
let operator: string;
let viewer: string;
const logLines: string[] = [];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tasksUrl = `/api/v1/queues/redis/${queue}/tasks`;
const qParams = { broker: 'redis', queue };

async function auditEntries(): Promise<AuditEntry[]> {
  const res = await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?limit=500');
  expect(res.status).toBe(200);
  return res.body.entries;
}

async function securityEntries(query = ''): Promise<AuditEntry[]> {
  const res = await call<{ entries: AuditEntry[] }>(securityRoute.GET, 'GET', `/api/v1/security-log?limit=500${query}`);
  expect(res.status).toBe(200);
  return res.body.entries;
}

async function securityCounts(): Promise<Record<string, number>> {
  const res = await metricsRoute.GET(new Request('http://localhost/metrics', { headers: bearer(process.env.TRIAGE_ADMIN_TOKEN!) }));
  expect(res.status).toBe(200);
  const counts: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^triage_security_events_total\{kind="([a-z_]+)"\} (\d+)$/gm)) counts[m[1]!] = Number(m[2]);
  return counts;
}

beforeAll(async () => {
  useConfig({
    brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }],
    statePrefix: prefix,
    audit: { securityMaxEntries: SECURITY_CAP },
  });
  redis = rawRedis();
  const store = await authStore();
  operator = (await createToken(store, { name: 'sec-operator', role: 'operator' })).token;
  viewer = (await createToken(store, { name: 'sec-viewer', role: 'viewer' })).token;
  await createUser(store, { name: 'sec-alice', role: 'operator', password: 'correct horse battery' });
  runtime().logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
});

afterAll(async () => {
  stopSampler();
  await resetRuntime();
  await deleteKeysLike(redis, prefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('the audit log records every successful mutation (item 16)', () => {
  it('an enqueue says who put how many tasks at which priority, without their arguments', async () => {
    const res = await call<{ ids: string[] }>(tasksRoute.POST, 'POST', tasksUrl, qParams, { task: 'sec.bulk', args: ['card 4111 1111'], priority: 1, count: 50 }, bearer(operator));
    expect(res.status).toBe(201);
    const entry = (await auditEntries()).find((e) => e.action === 'enqueue' && e.actor === 'sec-operator');
    expect(entry).toMatchObject({
      role: 'operator',
      target: { broker: 'redis', queue },
      params: { task: 'sec.bulk', priority: 1, count: 50 },
      result: { enqueued: 50 },
    });
    expect(JSON.stringify(entry)).not.toContain('4111');
  });

  it('token create and revoke, never with the secret', async () => {
    const name = uniqueName('sec-tok');
    const created = await call<{ token: string }>(tokensRoute.POST, 'POST', '/api/v1/tokens', {}, { name, role: 'viewer' });
    expect(created.status).toBe(201);
    expect((await call(tokenRoute.DELETE, 'DELETE', `/api/v1/tokens/${name}`, { name })).status).toBe(204);
    const entries = (await auditEntries()).filter((e) => e.target.token === name);
    expect(entries.map((e) => [e.action, e.actor, e.params])).toEqual([
      ['token.revoke', 'TRIAGE_ADMIN_TOKEN', {}],
      ['token.create', 'TRIAGE_ADMIN_TOKEN', { role: 'viewer' }],
    ]);
    expect(JSON.stringify(entries)).not.toContain(created.body.token);
  });

  it('user create, role change, password change and removal, never with the password', async () => {
    const name = uniqueName('sec-user');
    const url = `/api/v1/users/${name}`;
    expect((await call(usersRoute.POST, 'POST', '/api/v1/users', {}, { name, role: 'operator', password: 'first long password' })).status).toBe(201);
    expect((await call(userRoute.PATCH, 'PATCH', url, { name }, { role: 'viewer' })).status).toBe(200);
    expect((await call(userRoute.PATCH, 'PATCH', url, { name }, { password: 'second long password' })).status).toBe(200);
    expect((await call(userRoute.DELETE, 'DELETE', url, { name })).status).toBe(204);
    const entries = (await auditEntries()).filter((e) => e.target.user === name);
    expect(entries.map((e) => [e.action, e.params])).toEqual([
      ['user.remove', {}],
      ['user.update', { passwordChanged: true }],
      ['user.update', { role: 'viewer' }],
      ['user.create', { role: 'operator' }],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/long password/);
  });
});

describe('the security log records failures and denials (item 16)', () => {
  it('a failed login, with user and address and never the password, also in the server log', async () => {
    const before = await securityCounts();
    const res = await call(loginRoute.POST, 'POST', '/api/v1/auth/login', {}, { username: 'sec-alice', password: 'wrong battery staple' }, {
      authorization: '',
      'x-triage-peer': peerHeaderValue({ address: '203.0.113.7', tls: false }),
    });
    expect(res.status).toBe(401);
    const [entry] = await securityEntries('&kind=login_failed&actor=sec-alice');
    expect(entry).toMatchObject({
      kind: 'login_failed',
      action: 'login',
      target: { user: 'sec-alice' },
      params: { address: '203.0.113.7' },
      result: { error: { code: 'UNAUTHENTICATED' } },
    });
    expect(JSON.stringify(entry)).not.toContain('wrong battery');
    const logged = logLines.filter((l) => l.includes('sec-alice'));
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.parse(logged[0]!)).toMatchObject({ user: 'sec-alice', ip: '203.0.113.7' });
    expect(logged.join('\n')).not.toContain('wrong battery');
    expect((await securityCounts()).login_failed).toBe((before.login_failed ?? 0) + 1);
    // No successful mutation happened: nothing for it in the audit log.
    expect((await auditEntries()).some((e) => e.action === 'login')).toBe(false);
  });

  it('a 403 names who tried what, and is not in the audit log', async () => {
    const before = await securityCounts();
    const res = await call(tasksRoute.POST, 'POST', tasksUrl, qParams, { task: 'sec.denied', priority: 0 }, bearer(viewer));
    expect(res.status).toBe(403);
    const [entry] = await securityEntries('&kind=denied&actor=sec-viewer');
    expect(entry).toMatchObject({
      kind: 'denied',
      role: 'viewer',
      action: `POST ${tasksUrl}`,
      target: { broker: 'redis', queue },
      result: { error: { code: 'FORBIDDEN' } },
    });
    expect((await securityCounts()).denied).toBe((before.denied ?? 0) + 1);
    expect((await auditEntries()).some((e) => e.actor === 'sec-viewer')).toBe(false);
  });

  it('a failed operation goes to the security log, not the audit log', async () => {
    const res = await call(deleteRoute.POST, 'POST', `/api/v1/queues/redis/${queue}/delete`, qParams, { ids: ['sec-missing'] }, bearer(operator));
    expect(res.status).toBe(404);
    const [entry] = await securityEntries('&kind=failed&action=delete');
    expect(entry).toMatchObject({ kind: 'failed', actor: 'sec-operator', target: { broker: 'redis', queue }, result: { error: { code: 'NOT_FOUND' } } });
    expect((await auditEntries()).filter((e) => e.result.error !== undefined)).toEqual([]);
  });

  it('is for admins only (and asking without the role is itself recorded)', async () => {
    for (const [token, actor] of [[viewer, 'sec-viewer'], [operator, 'sec-operator']] as const) {
      const res = await call(securityRoute.GET, 'GET', '/api/v1/security-log', {}, undefined, bearer(token));
      expect(res.status).toBe(403);
      expect((await securityEntries(`&kind=denied&actor=${actor}`)).some((e) => e.action === 'GET /api/v1/security-log')).toBe(true);
    }
  });
});

describe('failures cannot flush the audit log (item 17)', () => {
  it('2,000 parallel failing deletes leave the successful entries in place, the security log at its cap', async () => {
    for (const handler of [pauseRoute.POST, resumeRoute.POST]) {
      expect((await call(handler, 'POST', `/api/v1/queues/redis/${queue}/x`, qParams, {}, bearer(operator))).status).toBe(200);
    }
    const before = await securityCounts();
    const failures = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => call(deleteRoute.POST, 'POST', `/api/v1/queues/redis/${queue}/delete`, qParams, { ids: [`flood-${i}`] }, bearer(operator))),
    );
    expect(failures.every((r) => r.status === 404 || r.status === 409)).toBe(true);

    const audit = await auditEntries();
    expect(audit.filter((e) => e.target.queue === queue && ['pause', 'resume'].includes(e.action)).map((e) => [e.action, e.actor])).toEqual([
      ['resume', 'sec-operator'],
      ['pause', 'sec-operator'],
    ]);
    expect(audit.some((e) => e.result.error !== undefined)).toBe(false);
    // Trimming is approximate (whole stream nodes of at most 100 entries), never below the cap.
    const kept = await redis.xlen(`${prefix}security`);
    expect(kept).toBeGreaterThanOrEqual(SECURITY_CAP);
    expect(kept).toBeLessThanOrEqual(SECURITY_CAP + 100);
    // The counter counts every failure, whatever the log kept.
    expect((await securityCounts()).failed).toBe((before.failed ?? 0) + 2000);
  });
});

async function metric(name: string): Promise<number> {
  const res = await metricsRoute.GET(new Request('http://localhost/metrics', { headers: bearer(process.env.TRIAGE_ADMIN_TOKEN!) }));
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(await res.text());
  return Number(match?.[1] ?? NaN);
}

describe('an audit log that cannot be written does not turn a success into an error', () => {
  it('an enqueue of 5,000 tasks answers 201 with its ids while the audit stream is broken; the loss is logged and counted', async () => {
    const before = await metric('triage_audit_write_failures_total');
    // A key of the wrong type where the audit stream lives: every XADD to it fails.
    await redis.del(`${prefix}audit`);
    await redis.set(`${prefix}audit`, 'not a stream');
    // Priority 0 is kombu's plain list under the queue's own name.
    const waiting = await redis.llen(queue);
    try {
      const res = await call<{ ids: string[] }>(tasksRoute.POST, 'POST', tasksUrl, qParams, { task: 'sec.unaudited', priority: 0, count: 5000 }, bearer(operator));
      expect(res.status).toBe(201);
      expect(res.body.ids).toHaveLength(5000);
      expect(new Set(res.body.ids).size).toBe(5000);
      // The tasks were sent: a retry by the client would have doubled them.
      expect(await redis.llen(queue)).toBe(waiting + 5000);
      const head = JSON.parse((await redis.lindex(queue, 0))!) as { headers: { id: string } };
      expect(res.body.ids).toContain(head.headers.id);
      expect(await metric('triage_audit_write_failures_total')).toBe(before + 1);
      const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'audit write failed');
      expect(line).toMatchObject({ entry: { actor: 'sec-operator', action: 'enqueue', target: { broker: 'redis', queue }, result: { enqueued: 5000 } } });
    } finally {
      await redis.del(`${prefix}audit`);
    }
  });
});

describe('GET /api/v1/health (item 18)', () => {
  const publicHealth = { status: 'ok', brokers: [{ id: 'redis', kind: 'redis', ok: true, latencyMs: expect.any(Number) }] };

  it('tells anonymous callers up or down per broker, nothing that names a host, version or error', async () => {
    const res = await call<Record<string, unknown>>(healthRoute.GET, 'GET', '/api/v1/health', {}, undefined, { authorization: '' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(publicHealth);
  });

  it('treats credentials that do not verify as anonymous', async () => {
    const res = await call<Record<string, unknown>>(healthRoute.GET, 'GET', '/api/v1/health', {}, undefined, bearer('trg_not-a-token'));
    expect(res).toEqual({ status: 200, body: publicHealth });
  });

  it('gives signed-in callers (any role) the broker details', async () => {
    const res = await call<Health>(healthRoute.GET, 'GET', '/api/v1/health', {}, undefined, bearer(viewer));
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.brokers).toEqual([expect.objectContaining({ id: 'redis', kind: 'redis', ok: true, latencyMs: expect.any(Number) })]);
  });
});
