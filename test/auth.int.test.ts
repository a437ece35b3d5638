import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { resetRuntime } from '@/lib/server/runtime';
import { authStore } from '@/lib/server/auth';
import { createUser } from '@/lib/server/users';
import { createToken } from '@/lib/server/tokens';
import { hashPassword, verifyPassword } from '@/lib/server/auth-password';
import { assertProductionReady, assertSessionSecret } from '@/lib/server/auth-startup';
import { makeAuthStore } from '@/lib/state/auth-store';
import { loadConfig } from '@/lib/config';
import * as login from '@/app/api/v1/auth/login/route';
import * as logout from '@/app/api/v1/auth/logout/route';
import * as me from '@/app/api/v1/auth/me/route';
import * as tokens from '@/app/api/v1/tokens/route';
import * as tokenByName from '@/app/api/v1/tokens/[name]/route';
import * as users from '@/app/api/v1/users/route';
import * as tasks from '@/app/api/v1/queues/[broker]/[queue]/tasks/route';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName, waitFor } from './support';
import { useConfig } from './api-client';
import { peerHeaderValue } from '@/lib/server/peer';

/**
 * Login, sessions, CSRF and throttling against the real state Redis, handlers called with
 * real Requests. A state prefix of its own keeps counters and sessions apart from other files.
 */

type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

const prefix = `${uniqueName('auth')}:`;
const queue = uniqueName('auth-q');
// Long enough that ten logins (each a password hash) fit in one window on a loaded 2-core machine.
const WINDOW_SEC = 5;
const ORIGIN = 'http://localhost';
let redis: Redis;

async function send(handler: Handler, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; params?: Record<string, string> } = {}) {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...opts.headers } };
  if (opts.body !== undefined) init.body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const response = await handler(new Request(`${ORIGIN}${path}`, init), { params: Promise.resolve(opts.params ?? {}) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function logIn(username: string, password: string, headers: Record<string, string> = {}) {
  const res = await send(login.POST, 'POST', '/api/v1/auth/login', { body: { username, password }, headers: { origin: ORIGIN, ...headers } });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { ...res, setCookie, cookie: setCookie.split(';')[0] ?? '', csrf: res.body.csrfToken as string };
}

const queueKeys = () => redis.keys(`${queue}*`);
const enqueue = (headers: Record<string, string>) =>
  send(tasks.POST, 'POST', `/api/v1/queues/redis/${queue}/tasks`, { params: { broker: 'redis', queue }, body: { task: 't.x', priority: 1 }, headers });

beforeAll(async () => {
  useConfig({
    brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }],
    statePrefix: prefix,
    auth: { loginWindowSec: WINDOW_SEC, loginMaxPerUser: 5, loginMaxPerIp: 1000 },
  });
  redis = rawRedis();
  const store = await authStore();
  await createUser(store, { name: 'alice', role: 'operator', password: 'correct horse battery' });
  await createUser(store, { name: 'root', role: 'admin', password: 'root password 123' });
  await createUser(store, { name: 'guesswho', role: 'viewer', password: 'viewer password 1' });
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, queue);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('passwords', () => {
  it('are scrypt hashes with a salt of their own', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same passwore', a)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$99$1$1$AAAA$AAAA')).toBe(false);
  });
});

describe('login, session, logout', () => {
  it('sets an HttpOnly SameSite signed cookie and answers the user and a CSRF token', async () => {
    const res = await logIn('alice', 'correct horse battery');
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ name: 'alice', role: 'operator' });
    expect(res.csrf).toMatch(/^[\w-]{20,}$/);
    expect(res.setCookie).toMatch(/^triage_session=[\w-]+\.[\w-]+; /);
    expect(res.setCookie).toContain('HttpOnly');
    expect(res.setCookie).toContain('SameSite=Lax');
    expect(res.setCookie).not.toContain('Secure');
    const who = await send(me.GET, 'GET', '/api/v1/auth/me', { headers: { cookie: res.cookie } });
    expect(who.status).toBe(200);
    expect(who.body).toEqual({ user: { name: 'alice', role: 'operator', via: 'session' }, csrfToken: res.csrf });
  });

  it('marks the cookie Secure over HTTPS, and trusts X-Forwarded-Proto only when told to', async () => {
    const viaProxy = await logIn('alice', 'correct horse battery', { 'x-forwarded-proto': 'https' });
    expect(viaProxy.setCookie).not.toContain('Secure');
    const direct = await login.POST(
      new Request('https://localhost/api/v1/auth/login', {
        method: 'POST',
        // What Node's TLS socket looks like to the route (lib/server/peer.ts).
        headers: { 'content-type': 'application/json', 'x-triage-peer': peerHeaderValue({ address: '127.0.0.1', tls: true }) },
        body: JSON.stringify({ username: 'alice', password: 'correct horse battery' }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(direct.headers.get('set-cookie')).toContain('Secure');
  });

  it('refuses a wrong password, an unknown user and a forged cookie with 401', async () => {
    expect((await logIn('alice', 'wrong password')).status).toBe(401);
    expect((await logIn('nobody', 'wrong password')).status).toBe(401);
    const good = await logIn('alice', 'correct horse battery');
    const [name, value] = good.cookie.split('=') as [string, string];
    const forged = `${name}=${value.slice(0, -2)}xx`;
    expect((await send(me.GET, 'GET', '/api/v1/auth/me', { headers: { cookie: forged } })).status).toBe(401);
    expect((await send(me.GET, 'GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('logout ends the session on the server', async () => {
    const s = await logIn('alice', 'correct horse battery');
    const out = await send(logout.POST, 'POST', '/api/v1/auth/logout', { headers: { cookie: s.cookie, origin: ORIGIN, 'x-csrf-token': s.csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await send(me.GET, 'GET', '/api/v1/auth/me', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('a login from a foreign page is refused (login CSRF)', async () => {
    const res = await logIn('alice', 'correct horse battery', { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.setCookie).toBe('');
  });
});

describe('CSRF on cookie-authenticated mutations', () => {
  it('refuses a mutation without the token or from a foreign Origin, and nothing changes', async () => {
    const s = await logIn('alice', 'correct horse battery');
    const before = await queueKeys();
    const attempts: Record<string, string>[] = [
      { cookie: s.cookie, origin: ORIGIN },
      { cookie: s.cookie, origin: ORIGIN, 'x-csrf-token': 'not-the-token' },
      { cookie: s.cookie, origin: 'https://evil.example', 'x-csrf-token': s.csrf },
      { cookie: s.cookie, origin: 'http://localhost.evil.example', 'x-csrf-token': s.csrf },
      { cookie: s.cookie, 'x-csrf-token': s.csrf },
      { cookie: s.cookie, origin: 'null', 'x-csrf-token': s.csrf },
      { cookie: s.cookie, referer: 'https://evil.example/page', 'x-csrf-token': s.csrf },
    ];
    for (const headers of attempts) {
      const res = await enqueue(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((res.body.error as { code: string }).code).toBe('FORBIDDEN');
    }
    expect(await queueKeys()).toEqual(before);
    expect(before).toEqual([]);

    const admin = await logIn('root', 'root password 123');
    const made = await send(tokens.POST, 'POST', '/api/v1/tokens', { body: { name: 'csrf-probe', role: 'viewer' }, headers: { cookie: admin.cookie, origin: 'https://evil.example', 'x-csrf-token': admin.csrf } });
    expect(made.status).toBe(403);
    const list = await send(tokens.GET, 'GET', '/api/v1/tokens', { headers: { cookie: admin.cookie } });
    expect((list.body.tokens as { name: string }[]).map((t) => t.name)).not.toContain('csrf-probe');
  });

  it('accepts the same mutation with the token from this origin (Origin or Referer)', async () => {
    const s = await logIn('alice', 'correct horse battery');
    expect((await enqueue({ cookie: s.cookie, origin: ORIGIN, 'x-csrf-token': s.csrf })).status).toBe(201);
    expect((await enqueue({ cookie: s.cookie, referer: `${ORIGIN}/queues/redis/x`, 'x-csrf-token': s.csrf })).status).toBe(201);
    expect((await queueKeys()).length).toBeGreaterThan(0);
    await deleteKeysLike(redis, queue);
  });

  it('bearer tokens need no CSRF token', async () => {
    const t = await createToken(await authStore(), { name: 'ci-operator', role: 'operator' });
    expect((await enqueue({ authorization: `Bearer ${t.token}` })).status).toBe(201);
    await deleteKeysLike(redis, queue);
  });
});

describe('login throttling', () => {
  it('ten wrong passwords → 429 with Retry-After; the right password works after the window', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await logIn('guesswho', `guess-${i}`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(WINDOW_SEC);
    // Throttled: even the right password is refused until the window ends.
    expect((await logIn('guesswho', 'viewer password 1')).status).toBe(429);
    // Refused attempts are not counted, so asking again until the refusals stop does not
    // extend the window; it must end within Retry-After.
    const ok = await waitFor('the throttle window to end', async () => {
      const res = await logIn('guesswho', 'viewer password 1');
      return res.status !== 429 && res;
    }, Number(retryAfter) * 1000 + 1000, 200);
    expect(ok.status).toBe(200);
    expect(ok.body.user).toEqual({ name: 'guesswho', role: 'viewer' });
  });

  it('throttles per client address across user names', async () => {
    useConfig({
      brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }],
      statePrefix: prefix,
      auth: { loginWindowSec: WINDOW_SEC, loginMaxPerUser: 100, loginMaxPerIp: 3 },
    });
    await resetRuntime();
    const ip = { 'x-triage-peer': peerHeaderValue({ address: '203.0.113.7', tls: false }) };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await logIn(`spray-${i}`, 'password?', ip)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // Another address is not affected.
    expect((await logIn('alice', 'correct horse battery', { 'x-triage-peer': peerHeaderValue({ address: '203.0.113.8', tls: false }) })).status).toBe(200);
  });
});

describe('behind a trusted proxy', () => {
  it('uses X-Forwarded-Proto for Secure and X-Forwarded-Host for the Origin check', async () => {
    useConfig({
      brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], discover: false }],
      statePrefix: prefix,
      auth: { trustProxy: true, loginMaxPerIp: 1000 },
    });
    await resetRuntime();
    const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'triage.example.com', 'x-forwarded-for': '198.51.100.1' };
    const s = await logIn('alice', 'correct horse battery', { ...proxied, origin: 'https://triage.example.com' });
    expect(s.status).toBe(200);
    expect(s.setCookie).toContain('Secure');
    const base = { cookie: s.cookie, 'x-csrf-token': s.csrf, ...proxied };
    expect((await enqueue({ ...base, origin: 'http://localhost' })).status).toBe(403);
    expect((await enqueue({ ...base, origin: 'https://triage.example.com' })).status).toBe(201);
    await deleteKeysLike(redis, queue);
  });
});

describe('tokens and users API', () => {
  it('creates a token shown once, stores only its hash, lists it without the secret, revokes it', async () => {
    const made = await send(tokens.POST, 'POST', '/api/v1/tokens', { body: { name: 'deploy-bot', role: 'operator' }, headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } });
    expect(made.status).toBe(201);
    const secret = made.body.token as string;
    expect(secret).toMatch(/^trg_[\w-]{40,}$/);
    const stored = JSON.stringify(await redis.hgetall(`${prefix}tokens`));
    expect(stored).not.toContain(secret);
    const who = await send(me.GET, 'GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } });
    expect(who.body.user).toEqual({ name: 'deploy-bot', role: 'operator', via: 'token' });
    const list = await send(tokens.GET, 'GET', '/api/v1/tokens', { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } });
    const entry = (list.body.tokens as Record<string, unknown>[]).find((t) => t.name === 'deploy-bot');
    expect(entry).toMatchObject({ role: 'operator', source: 'state' });
    expect(entry?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const dup = await send(tokens.POST, 'POST', '/api/v1/tokens', { body: { name: 'deploy-bot', role: 'viewer' }, headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } });
    expect(dup.status).toBe(409);
    const del = await send(tokenByName.DELETE, 'DELETE', '/api/v1/tokens/deploy-bot', { params: { name: 'deploy-bot' }, headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` } });
    expect(del.status).toBe(204);
    expect((await send(me.GET, 'GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  });

  it('admins create users who can then log in; a password change ends old sessions', async () => {
    const admin = { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN}` };
    const weak = await send(users.POST, 'POST', '/api/v1/users', { body: { name: 'bob', role: 'viewer', password: 'short' }, headers: admin });
    expect(weak.status).toBe(400);
    const made = await send(users.POST, 'POST', '/api/v1/users', { body: { name: 'bob', role: 'viewer', password: 'bob password 1' }, headers: admin });
    expect(made.status).toBe(201);
    expect(JSON.stringify(made.body)).not.toContain('scrypt');
    const s = await logIn('bob', 'bob password 1');
    expect(s.status).toBe(200);
    const { updateUser } = await import('@/lib/server/users');
    await updateUser(await authStore(), 'bob', { password: 'bob password 2' });
    expect((await send(me.GET, 'GET', '/api/v1/auth/me', { headers: { cookie: s.cookie } })).status).toBe(401);
    expect((await logIn('bob', 'bob password 2')).status).toBe(200);
  });
});

describe('production start-up', () => {
  it('refuses without a session secret, then without a user, then starts', async () => {
    const env: NodeJS.ProcessEnv = { NODE_ENV: 'production', TRIAGE_CONFIG: process.env.TRIAGE_CONFIG, TRIAGE_STATE_PREFIX: `${prefix}prod:` };
    const noSecret = loadConfig(env);
    expect(noSecret.production).toBe(true);
    expect(() => assertSessionSecret(noSecret)).toThrow(/TRIAGE_SESSION_SECRET/);
    expect(() => assertSessionSecret(loadConfig({ ...env, TRIAGE_SESSION_SECRET: 'too short' }))).toThrow(/at least 32/);
    expect(() => assertSessionSecret(loadConfig({ ...env, TRIAGE_DEMO: '1' }))).not.toThrow();
    const config = loadConfig({ ...env, TRIAGE_SESSION_SECRET: 'x'.repeat(48) });
    const store = makeAuthStore(redis, config);
    await expect(assertProductionReady(store)).rejects.toThrow(/at least one user/);
    await createUser(store, { name: 'ops', role: 'admin', password: 'ops password 1' });
    await expect(assertProductionReady(store)).resolves.toBeUndefined();
    const fromFile = makeAuthStore(redis, { ...config, statePrefix: `${prefix}prod2:`, users: [{ name: 'f', role: 'admin', passwordHash: await hashPassword('file password') }] });
    await expect(assertProductionReady(fromFile)).resolves.toBeUndefined();
  });
});
