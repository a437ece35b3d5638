import { z } from 'zod';
import { PrincipalNameSchema, RoleSchema } from '@/lib/config';
import { TriageError } from '@/lib/shared/errors';
import type { AuthStore } from './auth-store';
import { hashPassword, randomPassword, validatePasswordStrength } from './auth-password';
import type { Role } from './auth';

/**
 * Users: from the config file (read-only, for deployments) and from the state Redis (made by
 * the CLI, the API or the demo). A config user shadows a stored one of the same name.
 */

export interface User {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string | null;
  /** Bumped when the password changes: sessions made before then stop working. */
  version: number;
  source: 'config' | 'state';
}

export type PublicUser = Omit<User, 'passwordHash'>;

const StoredUserSchema = z.object({
  role: RoleSchema,
  passwordHash: z.string(),
  createdAt: z.string(),
  version: z.number().int().default(1),
});

export const NewUserSchema = z
  .object({
    name: PrincipalNameSchema,
    role: RoleSchema,
    password: z.string().superRefine((value, ctx) => {
      const problem = validatePasswordStrength(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  })
  .strict();

export function toPublic(user: User): PublicUser {
  const { passwordHash, ...rest } = user;
  void passwordHash;
  return rest;
}

export async function getUser(store: AuthStore, name: string): Promise<User | null> {
  const fromConfig = store.config.users.find((u) => u.name === name);
  if (fromConfig) return { ...fromConfig, createdAt: null, version: 1, source: 'config' };
  const raw = await store.redis.hget(store.keys.users, name);
  if (!raw) return null;
  const parsed = StoredUserSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) return null;
  return { name, ...parsed.data, source: 'state' };
}

export async function listUsers(store: AuthStore): Promise<PublicUser[]> {
  const stored = await store.redis.hgetall(store.keys.users);
  const out = new Map<string, PublicUser>();
  for (const [name, raw] of Object.entries(stored)) {
    const parsed = StoredUserSchema.safeParse(JSON.parse(raw));
    if (parsed.success) out.set(name, { name, role: parsed.data.role, createdAt: parsed.data.createdAt, version: parsed.data.version, source: 'state' });
  }
  for (const u of store.config.users) out.set(u.name, { name: u.name, role: u.role, createdAt: null, version: 1, source: 'config' });
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export async function countUsers(store: AuthStore): Promise<number> {
  return (await listUsers(store)).length;
}

function assertNotConfigUser(store: AuthStore, name: string): void {
  if (store.config.users.some((u) => u.name === name)) {
    throw new TriageError('CONFLICT', `user ${name} is defined in the config file; change it there`);
  }
}

export async function createUser(store: AuthStore, input: { name: string; role: Role; password: string }): Promise<PublicUser> {
  const { name, role, password } = NewUserSchema.parse(input);
  assertNotConfigUser(store, name);
  const record = { role, passwordHash: await hashPassword(password), createdAt: new Date().toISOString(), version: 1 };
  const created = await store.redis.hsetnx(store.keys.users, name, JSON.stringify(record));
  if (created === 0) throw new TriageError('CONFLICT', `user ${name} already exists`);
  return { name, role, createdAt: record.createdAt, version: 1, source: 'state' };
}

/** Changes the password and/or role; a new password ends the user's existing sessions. */
export async function updateUser(store: AuthStore, name: string, change: { password?: string; role?: Role }): Promise<PublicUser> {
  assertNotConfigUser(store, name);
  const current = await getUser(store, name);
  if (!current) throw new TriageError('NOT_FOUND', `no user ${name}`);
  if (change.password !== undefined) {
    const problem = validatePasswordStrength(change.password);
    if (problem) throw new TriageError('INVALID', problem, [{ path: ['password'], message: problem }]);
  }
  const record = {
    role: change.role ?? current.role,
    passwordHash: change.password === undefined ? current.passwordHash : await hashPassword(change.password),
    createdAt: current.createdAt ?? new Date().toISOString(),
    version: change.password === undefined ? current.version : current.version + 1,
  };
  await store.redis.hset(store.keys.users, name, JSON.stringify(record));
  return { name, role: record.role, createdAt: record.createdAt, version: record.version, source: 'state' };
}

/** Removes a stored user; their sessions stop working at their next request. */
export async function removeUser(store: AuthStore, name: string): Promise<boolean> {
  assertNotConfigUser(store, name);
  return (await store.redis.hdel(store.keys.users, name)) === 1;
}

/**
 * The demo's `admin` user (role admin): its password becomes `password` when given, else a
 * fresh random one, so the password printed at start-up always works.
 */
export async function ensureDemoAdmin(store: AuthStore, password: string | undefined): Promise<{ name: string; password: string; generated: boolean }> {
  const name = 'admin';
  const generated = !password;
  const secret = password || randomPassword();
  if (store.config.users.some((u) => u.name === name)) {
    throw new TriageError('CONFLICT', 'the config file defines a user admin; the demo cannot set its password');
  }
  const existing = await getUser(store, name);
  if (existing) await updateUser(store, name, { password: secret, role: 'admin' });
  else await createUser(store, { name, role: 'admin', password: secret });
  return { name, password: secret, generated };
}
