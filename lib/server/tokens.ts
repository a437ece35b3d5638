import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PrincipalNameSchema, RoleSchema } from '@/lib/config';
import { TriageError } from '@/lib/shared/errors';
import type { AuthStore } from '@/lib/state/auth-store';
import type { Role } from '@/lib/shared/roles';
import { execOrThrow } from '@/lib/redis/multi';

/**
 * API tokens: 256 random bits shown once, kept only as SHA-256 (a fast hash is enough for
 * secrets this long: there is nothing to brute-force). From the config file (read-only) or
 * the state Redis (API, CLI). `TRIAGE_ADMIN_TOKEN` is one more admin token, from the env.
 */

export const TOKEN_PREFIX = 'trg_';
/** The actor name audit entries show for the env bootstrap token. */
export const ADMIN_TOKEN_ACTOR = 'TRIAGE_ADMIN_TOKEN';

export interface TokenInfo {
  name: string;
  role: Role;
  createdAt: string | null;
  lastUsedAt: string | null;
  source: 'config' | 'state';
}

const StoredTokenSchema = z.object({ role: RoleSchema, sha256: z.string(), createdAt: z.string() });

export const NewTokenSchema = z.object({ name: PrincipalNameSchema, role: RoleSchema }).strict();

export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export async function createToken(store: AuthStore, input: { name: string; role: Role }): Promise<{ name: string; role: Role; token: string }> {
  const { name, role } = NewTokenSchema.parse(input);
  if (store.config.tokens.some((t) => t.name === name) || name === ADMIN_TOKEN_ACTOR) {
    throw new TriageError('CONFLICT', `token ${name} is defined in the config file or environment`);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const digest = sha256Hex(token);
  const record = { role, sha256: digest, createdAt: new Date().toISOString() };
  const created = await store.redis.hsetnx(store.keys.tokens, name, JSON.stringify(record));
  if (created === 0) throw new TriageError('CONFLICT', `a token named ${name} already exists; revoke it first`);
  await store.redis.hset(store.keys.tokenHashes, digest, name);
  return { name, role, token };
}

export async function revokeToken(store: AuthStore, name: string): Promise<boolean> {
  if (store.config.tokens.some((t) => t.name === name)) {
    throw new TriageError('CONFLICT', `token ${name} is defined in the config file; remove it there`);
  }
  const raw = await store.redis.hget(store.keys.tokens, name);
  if (!raw) return false;
  const parsed = StoredTokenSchema.safeParse(JSON.parse(raw));
  const multi = store.redis.multi().hdel(store.keys.tokens, name).hdel(store.keys.tokenLastUsed, name);
  if (parsed.success) multi.hdel(store.keys.tokenHashes, parsed.data.sha256);
  // A failed HDEL of the hash index would leave the token working after a 204 and a "revoked" audit.
  await execOrThrow(multi);
  return true;
}

export async function listTokens(store: AuthStore): Promise<TokenInfo[]> {
  const [stored, lastUsed] = await Promise.all([store.redis.hgetall(store.keys.tokens), store.redis.hgetall(store.keys.tokenLastUsed)]);
  const out: TokenInfo[] = [];
  for (const [name, raw] of Object.entries(stored)) {
    const parsed = StoredTokenSchema.safeParse(JSON.parse(raw));
    if (parsed.success) out.push({ name, role: parsed.data.role, createdAt: parsed.data.createdAt, lastUsedAt: lastUsed[name] ?? null, source: 'state' });
  }
  for (const t of store.config.tokens) out.push({ name: t.name, role: t.role, createdAt: null, lastUsedAt: lastUsed[t.name] ?? null, source: 'config' });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The token's name and role, or null when the secret matches no token. */
export async function findToken(store: AuthStore, secret: string, options: { touch?: boolean } = {}): Promise<{ name: string; role: Role } | null> {
  if (secret.length === 0 || secret.length > 512) return null;
  const digest = sha256Hex(secret);
  if (store.config.adminToken && sameDigest(digest, sha256Hex(store.config.adminToken))) {
    return { name: ADMIN_TOKEN_ACTOR, role: 'admin' };
  }
  // Compare every config token (not the first match only) so timing says nothing about order.
  let match: { name: string; role: Role } | null = null;
  for (const t of store.config.tokens) if (sameDigest(digest, t.sha256)) match = { name: t.name, role: t.role };
  if (!match) {
    // The lookup is by digest, so timing reveals nothing usable about the secret.
    const name = await store.redis.hget(store.keys.tokenHashes, digest);
    if (!name) return null;
    const raw = await store.redis.hget(store.keys.tokens, name);
    const parsed = raw ? StoredTokenSchema.safeParse(JSON.parse(raw)) : null;
    if (!parsed?.success || !sameDigest(parsed.data.sha256, digest)) return null;
    match = { name, role: parsed.data.role };
  }
  // Best effort: a failed write must not fail the request it describes.
  if (options.touch !== false) store.redis.hset(store.keys.tokenLastUsed, match.name, new Date().toISOString()).catch(() => undefined);
  return match;
}
