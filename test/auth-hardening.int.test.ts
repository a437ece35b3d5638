import { gzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { NextRequest } from 'next/server';
import pino from 'pino';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import { processCount } from '@/lib/process-counters';
import type { AuditEntry } from '@/lib/shared/types';
import { authStore } from '@/lib/server/auth';
import { createUser } from '@/lib/server/users';
import { createToken } from '@/lib/server/tokens';
import { assertProductionReady } from '@/lib/server/auth-startup';
import { makeAuthStore } from '@/lib/state/auth-store';
import { safeNextPath } from '@/lib/server/auth-page';
import { peerHeaderValue } from '@/lib/server/peer';
import { loadConfig } from '@/lib/config';
import * as login from '@/app/api/v1/auth/login/route';
import * as logout from '@/app/api/v1/auth/logout/route';
import * as securityLog from '@/app/api/v1/security-log/route';
import * as me from '@/app/api/v1/auth/me/route';
import * as events from '@/app/api/v1/events/route';
import * as tokenByName from '@/app/api/v1/tokens/[name]/route';
import * as users from '@/app/api/v1/users/route';
import * as userByName from '@/app/api/v1/users/[name]/route';
import { proxy } from '@/proxy';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { TEST_ADMIN_TOKEN, writeTestConfig } from './api-client';

/**
 * Issue #17, authentication: throttling that cannot lock a user out and cannot be raced or
 * dodged with forged headers, sessions bound to the user's epoch, event streams that end with
 * their credentials, same-origin login redirects, production start-up rules, the last-admin
 * guard and the page proxy's internal headers. Real state Redis, handlers called in-process;
 * a client's socket is what Node would stamp (lib/server/peer.ts).
 */

type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

const prefix = `${uniqueName('authh')}:`;
const queue = uniqueName('authh-q');
const ORIGIN = 'http://localhost';
const admin = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let redis: Redis;

function configure(auth: Record<string, unknown> = {}, statePrefix = prefix) {
  writeTestConfig({
    brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }],
    statePrefix,
    auth: { loginWindowSec: 60, loginMaxPerUser: 5, loginMaxPerIp: 1000, streamRecheckSec: 1, ...auth },
  });
  return resetRuntime();
}

/** Headers as Triage stamps them for a request from `address`. */
const from = (address: string, tls = false) => ({ 'x-triage-peer': peerHeaderValue({ address, tls }) });

async function send(handler: Handler, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; params?: Record<string, string>; url?: string } = {}) {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...opts.headers } };
  if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
  const response = await handler(new Request(opts.url ?? `${ORIGIN}${path}`, init), { params: Promise.resolve(opts.params ?? {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function logIn(username: string, password: string, headers: Record<string, string> = {}, url?: string) {
  const res = await send(login.POST, 'POST', '/api/v1/auth/login', { body: { username, password }, headers: { origin: ORIGIN, ...headers }, url });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { ...res, setCookie, cookie: setCookie.split(';')[0] ?? '', csrf: res.body.csrfToken as string };
}

const whoAmI = async (headers: Record<string, string>) => send(me.GET, 'GET', '/api/v1/auth/me', { headers });

beforeAll(async () => {
  await configure();
  redis = rawRedis();
  const store = await authStore();
  await createUser(store, { name: 'victim', role: 'operator', password: 'victim password 1' });
  await createUser(store, { name: 'racer', role: 'viewer', password: 'racer password 1' });
  await createUser(store, { name: 'streamer', role: 'viewer', password: 'streamer password 1' });
  await createUser(store, { name: 'spread', role: 'viewer', password: 'spread password 1' });
  await createUser(store, { name: 'proto', role: 'viewer', password: 'proto password 1' });
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('1. failed logins cannot lock a user out from elsewhere', () => {
  it('twelve wrong passwords from one address throttle that address only; the right password from another works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await logIn('victim', `wrong-${i}`, from('198.51.100.10'))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    const elsewhere = await logIn('victim', 'victim password 1', from('198.51.100.11'));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.user).toEqual({ name: 'victim', role: 'operator' });
    // The address that failed stays throttled for this user name.
    expect((await logIn('victim', 'victim password 1', from('198.51.100.10'))).status).toBe(429);
  });

  it('failures spread over many addresses slow the user name down but never refuse the right password', async () => {
    // Six failures in all: over the per-user limit of five, under it for each address.
    for (const address of ['198.51.100.20', '198.51.100.21']) {
      for (let i = 0; i < 3; i++) expect((await logIn('spread', `spread-${i}`, from(address))).status).toBe(401);
    }
    const ok = await logIn('spread', 'spread password 1', from('198.51.100.22'));
    expect(ok.status).toBe(200);
  });
});

describe('2. the client address is the socket unless a proxy is trusted', () => {
  it('a new X-Forwarded-For per request does not dodge the per-address limit, nor lock the forged address', async () => {
    await configure({ loginMaxPerIp: 10 });
    try {
      const socket = from('192.0.2.50');
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) statuses.push((await logIn(`sprayed-${i}`, 'guess', { ...socket, 'x-forwarded-for': `203.0.113.${i}` })).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual(Array(5).fill(429));
      // The forged addresses were not charged: a real client there logs in.
      const real = await logIn('proto', 'proto password 1', { ...from('203.0.113.3'), 'x-forwarded-for': '192.0.2.50' });
      expect(real.status).toBe(200);
    } finally {
      await configure();
    }
  });

  it('X-Forwarded-Proto: https (which Next turns into an https request URL) does not mark the cookie Secure; a TLS socket does', async () => {
    const forged = await logIn('proto', 'proto password 1', { ...from('192.0.2.60'), 'x-forwarded-proto': 'https' }, `https://localhost/api/v1/auth/login`);
    expect(forged.status).toBe(200);
    expect(forged.setCookie).not.toContain('Secure');
    const tls = await logIn('proto', 'proto password 1', from('192.0.2.60', true), `https://localhost/api/v1/auth/login`);
    expect(tls.setCookie).toContain('Secure');
  });

  it('a client cannot send the stamp header itself', async () => {
    const forged = await logIn('proto', 'proto password 1', { 'x-triage-peer': 'tls 192.0.2.61' }, `https://localhost/api/v1/auth/login`);
    expect(forged.status).toBe(200);
    expect(forged.setCookie).not.toContain('Secure');
  });
});

describe('3. concurrent guesses and password hashing', () => {
  it('forty wrong passwords at once for one user: only the limit is checked', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => logIn('racer', `race-${i}`, from('192.0.2.70'))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
  });

  it('logins hash a bounded number of passwords at a time, so other thread-pool work is not starved', async () => {
    let done = 0;
    const logins = Array.from({ length: 16 }, (_, i) =>
      logIn(`flood-${i}`, 'flood password', from(`192.0.2.${100 + i}`)).then((r) => {
        done += 1;
        return r.status;
      }),
    );
    await waitFor('the first login to finish', () => done > 0);
    // zlib runs on the same libuv thread pool as scrypt (Next compresses responses with it).
    const doneWhenProbeFinished = await new Promise<number>((resolve, reject) => gzip('probe', (error) => (error ? reject(error) : resolve(done))));
    expect(await Promise.all(logins)).toEqual(Array(16).fill(401));
    expect(doneWhenProbeFinished).toBeLessThanOrEqual(6);
  });
});

describe('4. sessions are bound to the user', () => {
  it("a deleted user's cookie dies, and does not come back when the name is re-created as admin", async () => {
    const made = await send(users.POST, 'POST', '/api/v1/users', { body: { name: 'reborn', role: 'operator', password: 'reborn password 1' }, headers: admin });
    expect(made.status).toBe(201);
    const s = await logIn('reborn', 'reborn password 1', from('192.0.2.80'));
    const checked = await logIn('reborn', 'reborn password 1', from('192.0.2.80'));
    expect((await whoAmI({ cookie: s.cookie })).body.user).toEqual({ name: 'reborn', role: 'operator', via: 'session' });
    expect((await send(userByName.DELETE, 'DELETE', '/api/v1/users/reborn', { params: { name: 'reborn' }, headers: admin })).status).toBe(204);
    expect((await whoAmI({ cookie: checked.cookie })).status).toBe(401);
    // `s` is not used until the name exists again: nothing has cleaned its record up meanwhile.
    const again = await send(users.POST, 'POST', '/api/v1/users', { body: { name: 'reborn', role: 'admin', password: 'reborn password 1' }, headers: admin });
    expect(again.status).toBe(201);
    const stale = await whoAmI({ cookie: s.cookie });
    expect(stale.status).toBe(401);
    // A fresh login works and is the new admin.
    const fresh = await logIn('reborn', 'reborn password 1', from('192.0.2.80'));
    expect((await whoAmI({ cookie: fresh.cookie })).body.user).toEqual({ name: 'reborn', role: 'admin', via: 'session' });
  });
});

describe('5. open event streams end with their credentials', () => {
  /** Opens /api/v1/events and reads it in the background; `ended` turns true when the server closes it. */
  async function openStream(headers: Record<string, string>) {
    const controller = new AbortController();
    const response = await events.GET(new Request(`${ORIGIN}/api/v1/events`, { headers, signal: controller.signal }), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    const state = { ended: false, text: '' };
    const reader = response.body!.getReader();
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        state.text += new TextDecoder().decode(value);
      }
      state.ended = true;
    })().catch(() => {
      state.ended = true;
    });
    return { state, close: () => controller.abort() };
  }

  it('a stream opened with a token closes after the token is revoked', async () => {
    const token = await createToken(await authStore(), { name: uniqueName('stream-tok'), role: 'viewer' });
    const stream = await openStream({ authorization: `Bearer ${token.token}` });
    await waitFor('the first event', () => stream.state.text.includes('retry:'));
    expect((await send(tokenByName.DELETE, 'DELETE', `/api/v1/tokens/${token.name}`, { params: { name: token.name }, headers: admin })).status).toBe(204);
    try {
      await waitFor('the stream to close', () => stream.state.ended, 15_000);
    } finally {
      stream.close();
    }
  });

  it('a stream opened with a session closes after logout', async () => {
    const s = await logIn('streamer', 'streamer password 1', from('192.0.2.90'));
    const stream = await openStream({ cookie: s.cookie });
    await waitFor('the first event', () => stream.state.text.includes('retry:'));
    const out = await send(logout.POST, 'POST', '/api/v1/auth/logout', { headers: { cookie: s.cookie, origin: ORIGIN, 'x-csrf-token': s.csrf } });
    expect(out.status).toBe(204);
    try {
      await waitFor('the stream to close', () => stream.state.ended, 15_000);
    } finally {
      stream.close();
    }
  });

  it('a stream with valid credentials still ends after its maximum lifetime', async () => {
    await configure({ streamMaxSec: 2 });
    const stream = await openStream(admin);
    try {
      await waitFor('the stream to reach its lifetime', () => stream.state.ended, 15_000);
    } finally {
      stream.close();
      await configure();
    }
  });
});

describe('6. the login redirect stays on this origin', () => {
  it('refuses every way out, keeps local paths', () => {
    const attacks = [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      '\\\\evil.example',
      '/.//evil.example',
      '/..//evil.example',
      '/x/..//evil.example',
      '//evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/\u0000/evil.example',
      ' //evil.example',
      '/%2F%2Fevil.example/..//evil.example',
    ];
    for (const next of attacks) {
      const target = safeNextPath(next);
      const landed = new URL(target, `${ORIGIN}/login`);
      expect(landed.origin, `${JSON.stringify(next)} → ${target}`).toBe(ORIGIN);
      expect(target.startsWith('/') && !target.startsWith('//') && !target.includes('\\'), `${JSON.stringify(next)} → ${target}`).toBe(true);
    }
    expect(safeNextPath('/queues/redis/celery?tab=tasks#top')).toBe('/queues/redis/celery?tab=tasks#top');
    expect(safeNextPath('/queues/redis/odd%20name')).toBe('/queues/redis/odd%20name');
    expect(safeNextPath(undefined)).toBe('/');
  });
});

describe('7. admin token, production start and the last admin', () => {
  const productionEnv = (extra: Record<string, string>) =>
    loadConfig({ NODE_ENV: 'production', TRIAGE_CONFIG: process.env.TRIAGE_CONFIG, TRIAGE_SESSION_SECRET: 's'.repeat(48), ...extra });

  it('production refuses a TRIAGE_ADMIN_TOKEN shorter than 32 characters', async () => {
    const config = productionEnv({ TRIAGE_ADMIN_TOKEN: 'x', TRIAGE_STATE_PREFIX: `${prefix}prod-short:` });
    const store = makeAuthStore(redis, config);
    await createUser(store, { name: 'ops', role: 'admin', password: 'ops password 1' });
    await expect(assertProductionReady(store)).rejects.toThrow(/TRIAGE_ADMIN_TOKEN.*32/);
  });

  it('production starts with the admin token alone, so the first user can be made through the API', async () => {
    const config = productionEnv({ TRIAGE_ADMIN_TOKEN: 't'.repeat(40), TRIAGE_STATE_PREFIX: `${prefix}prod-token:` });
    await expect(assertProductionReady(makeAuthStore(redis, config))).resolves.toBeUndefined();
    const neither = productionEnv({ TRIAGE_STATE_PREFIX: `${prefix}prod-none:` });
    await expect(assertProductionReady(makeAuthStore(redis, neither))).rejects.toThrow(/at least one user or TRIAGE_ADMIN_TOKEN/);
  });

  it('the last admin can be neither removed nor demoted', async () => {
    await configure({}, `${prefix}admins:`);
    try {
      const mk = (name: string, role: string) => send(users.POST, 'POST', '/api/v1/users', { body: { name, role, password: `${name} password 1` }, headers: admin });
      const patch = (name: string, role: string) => send(userByName.PATCH, 'PATCH', `/api/v1/users/${name}`, { params: { name }, body: { role }, headers: admin });
      const remove = (name: string) => send(userByName.DELETE, 'DELETE', `/api/v1/users/${name}`, { params: { name }, headers: admin });
      expect((await mk('boss1', 'admin')).status).toBe(201);
      expect((await mk('worker1', 'operator')).status).toBe(201);
      const gone = await remove('boss1');
      expect(gone.status).toBe(409);
      expect((gone.body.error as { code: string }).code).toBe('CONFLICT');
      expect((await patch('boss1', 'operator')).status).toBe(409);
      // A password change of the last admin is fine; so are changes to other users.
      expect((await send(userByName.PATCH, 'PATCH', '/api/v1/users/boss1', { params: { name: 'boss1' }, body: { password: 'boss1 password 2' }, headers: admin })).status).toBe(200);
      expect((await patch('worker1', 'viewer')).status).toBe(200);
      expect((await mk('boss2', 'admin')).status).toBe(201);
      expect((await patch('boss1', 'operator')).status).toBe(200);
      expect((await remove('boss2')).status).toBe(409);
      // Two concurrent demotions of the last two admins cannot both win.
      expect((await patch('boss1', 'admin')).status).toBe(200);
      const [a, b] = await Promise.all([patch('boss1', 'viewer'), patch('boss2', 'viewer')]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const list = await send(users.GET, 'GET', '/api/v1/users', { headers: admin });
      expect((list.body.users as { role: string }[]).filter((u) => u.role === 'admin')).toHaveLength(1);
    } finally {
      await configure();
    }
  });
});

describe('8. the page proxy overwrites its internal headers', () => {
  it('client-sent x-nonce and x-triage-path never reach the page', () => {
    const request = new NextRequest(`${ORIGIN}/audit`, {
      headers: { cookie: 'triage_session=abc.def', 'x-nonce': 'chosen-nonce', 'x-triage-path': '/login', 'content-security-policy': "script-src 'unsafe-inline'" },
    });
    const response = proxy(request);
    const passed = (name: string) => response.headers.get(`x-middleware-request-${name}`);
    expect(passed('x-nonce')).not.toContain('chosen-nonce');
    expect(passed('x-triage-path')).not.toBe('/login');
    expect(passed('x-triage-path')).toMatch(/ \/audit$/);
    expect(passed('content-security-policy')).toBe(response.headers.get('content-security-policy'));
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  });

  it('runs for prefetch requests too (no header lets a page skip it)', async () => {
    const { config } = await import('@/proxy');
    expect(JSON.stringify(config.matcher)).not.toMatch(/missing|has/);
    const prefetch = proxy(new NextRequest(`${ORIGIN}/audit`, { headers: { 'next-router-prefetch': '1', 'x-triage-path': '/login' } }));
    expect(prefetch.status).toBe(307);
    expect(prefetch.headers.get('location')).toBe(`${ORIGIN}/login?next=%2Faudit`);
  });
});

describe('9. a login whose client address is unknown is not throttled together with everyone else', () => {
  it('with requireClientAddress it is refused (503), counted every time, logged as an error once; stamped logins go on', async () => {
    await configure({ requireClientAddress: true });
    const lines: string[] = [];
    runtime().logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    // Once per process: earlier tests in this file may have used the message up.
    delete (globalThis as { __triageUnknownAddressLogged?: boolean }).__triageUnknownAddressLogged;
    const before = processCount('unstampedRequests');
    try {
      for (let i = 0; i < 3; i++) {
        const res = await logIn('no-address', `guess-${i}`);
        expect(res.status).toBe(503);
        expect(res.body.error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('client address unknown') });
      }
      expect(processCount('unstampedRequests')).toBe(before + 3);
      const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50 && l.msg.includes('client address unknown'));
      expect(errors).toHaveLength(1);
      // Nothing counted under a shared address, so nobody else is throttled by these.
      expect(await redis.exists(`${prefix}throttle:login:pair:unknown no-address`, `${prefix}throttle:login:user:no-address`)).toBe(0);
      expect((await logIn('spread', 'spread password 1', from('198.51.100.90'))).status).toBe(200);
    } finally {
      await configure();
    }
  });

  it('is on by default under NODE_ENV=production (next start, the demo too), off otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production', TRIAGE_DEMO: '1' }).auth.requireClientAddress).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).auth.requireClientAddress).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).auth.requireClientAddress).toBe(false);
  });
});

describe('10. refused (429) logins are in the security log, a bounded number of them', () => {
  const throttledEntries = async (name: string) => {
    const res = await send(securityLog.GET, 'GET', `/api/v1/security-log?limit=500&kind=login_failed&actor=${name}`, { headers: admin });
    expect(res.status).toBe(200);
    return (res.body.entries as AuditEntry[]).filter((e) => (e.result.error as { code: string }).code === 'THROTTLED');
  };

  it('a burst of 40 refused logins leaves one THROTTLED entry per name and address a minute, and counts all 40', async () => {
    const [first, second] = ['198.51.100.140', '198.51.100.141'];
    for (const address of [first, second]) {
      for (let i = 0; i < 5; i++) expect((await logIn('flooder', `guess-${i}`, from(address))).status).toBe(401);
    }
    const before = processCount('loginThrottled');
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => logIn('Flooder', `burst-${i}`, from(i % 2 ? first : second))));
    expect(burst.map((r) => r.status)).toEqual(Array(40).fill(429));
    expect(processCount('loginThrottled')).toBe(before + 40);
    // The name as typed; the throttle and the log's rate limit ignore its case.
    const entries = [...(await throttledEntries('flooder')), ...(await throttledEntries('Flooder'))];
    expect(entries.map((e) => e.params.address).sort()).toEqual([first, second]);
    expect(entries[0]).toMatchObject({ kind: 'login_failed', action: 'login', role: 'none', result: { error: { code: 'THROTTLED' } } });

    // A minute later (its marker gone) the pair gets one more entry, not one per attempt.
    await redis.del(`${prefix}throttle:login:logged:${first} flooder`);
    for (let i = 0; i < 5; i++) expect((await logIn('flooder', `later-${i}`, from(first))).status).toBe(429);
    const later = [...(await throttledEntries('flooder')), ...(await throttledEntries('Flooder'))];
    expect(later.filter((e) => e.params.address === first)).toHaveLength(2);
    expect(processCount('loginThrottled')).toBe(before + 45);
  });
});
