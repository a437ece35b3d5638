import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { TriageConfig } from '@/lib/config';
import type { AuthStore } from '@/lib/state/auth-store';
import { requestPeer } from './peer';
import { SESSION_COOKIE } from './session-cookie';
import { getUser, type User } from './users';

/**
 * Cookie sessions: the cookie holds a random id signed with HMAC-SHA256 under the session
 * secret; the record (user, CSRF token, times) lives in the state Redis and expires after the
 * idle timeout. Logout deletes the record, so a copied cookie dies with it.
 */

export { SESSION_COOKIE } from './session-cookie';

const SessionRecordSchema = z.object({
  user: z.string(),
  csrf: z.string(),
  createdAt: z.number(),
  /** The user's epoch at login (users.ts); records from before epochs fail to parse and end. */
  epoch: z.string(),
});
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

export interface Session {
  id: string;
  record: SessionRecord;
  user: User;
}

const holder = globalThis as typeof globalThis & { __triageDevSessionSecret?: string };

/**
 * The configured secret; without one (demo, development) a random one per process, so
 * sessions end when the server restarts and replicas cannot share them. Production refuses to
 * start without a secret (lib/server/auth-startup.ts).
 */
export function sessionSecret(config: TriageConfig): string {
  if (config.sessionSecret) return config.sessionSecret;
  holder.__triageDevSessionSecret ??= randomBytes(32).toString('base64url');
  return holder.__triageDevSessionSecret;
}

function sign(id: string, secret: string): string {
  return createHmac('sha256', secret).update(`session:${id}`).digest('base64url');
}

/** The session id if the cookie value carries a valid signature, else null. */
export function verifyCookieValue(value: string, secret: string): string | null {
  const dot = value.indexOf('.');
  if (dot <= 0 || value.length > 200) return null;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(id, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export async function createSession(store: AuthStore, user: User): Promise<{ id: string; cookieValue: string; csrf: string }> {
  const id = randomBytes(24).toString('base64url');
  const record: SessionRecord = { user: user.name, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now(), epoch: user.epoch };
  await store.redis.set(store.keys.session(id), JSON.stringify(record), 'EX', store.config.auth.sessionIdleSec);
  return { id, cookieValue: `${id}.${sign(id, sessionSecret(store.config))}`, csrf: record.csrf };
}

/**
 * The live session behind a cookie value, refreshing its idle timeout; null when the cookie is
 * forged, expired, logged out, or its user was removed or changed password since.
 */
export async function readSession(store: AuthStore, cookieValue: string, options: { touch?: boolean } = {}): Promise<Session | null> {
  const id = verifyCookieValue(cookieValue, sessionSecret(store.config));
  if (!id) return null;
  const key = store.keys.session(id);
  const raw = await store.redis.get(key);
  if (!raw) return null;
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = SessionRecordSchema.safeParse(parsedJson);
  if (!parsed.success) return null;
  const record = parsed.data;
  const age = (Date.now() - record.createdAt) / 1000;
  const user = await getUser(store, record.user);
  if (age > store.config.auth.sessionMaxAgeSec || !user || user.epoch !== record.epoch) {
    await store.redis.del(key);
    return null;
  }
  if (options.touch !== false) await store.redis.expire(key, store.config.auth.sessionIdleSec);
  return { id, record, user };
}

export async function deleteSession(store: AuthStore, id: string): Promise<void> {
  await store.redis.del(store.keys.session(id));
}

/**
 * HTTPS as the browser sees it: X-Forwarded-Proto behind a trusted proxy, else the socket.
 * Not `request.url`: Next builds its scheme from X-Forwarded-Proto, whoever sent it.
 */
export function isHttps(request: Request, trustProxy: boolean): boolean {
  if (trustProxy) {
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (proto) return proto === 'https';
  }
  return requestPeer(request)?.tls ?? false;
}

export function sessionCookie(value: string, options: { secure: boolean; maxAgeSec: number }): string {
  // SameSite=Lax keeps the cookie off cross-site POSTs and subresource requests while still
  // letting a link from a chat or runbook open a signed-in page.
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${options.maxAgeSec}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSec: 0 });
}
