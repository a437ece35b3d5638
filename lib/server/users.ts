import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { PrincipalNameSchema, RoleSchema } from '@/lib/config';
import { TriageError } from '@/lib/shared/errors';
import type { AuthStore } from '@/lib/state/auth-store';
import { hashPassword, randomPassword, validatePasswordStrength } from './auth-password';
import type { Role } from '@/lib/shared/roles';

/**
 * Users: from the config file (read-only, for deployments) and from the state Redis (made by
 * the CLI, the API or the demo). A config user shadows a stored one of the same name.
 */

export interface User {
  name: string;
  role: Role;
  passwordHash: string;
  createdAt: string | null;
  /** Bumped when the password changes (shown by the API). */
  version: number;
  /**
   * Random, new when the user is created and when the password changes; a session is valid
   * only while its user's epoch is the one it was made under, so a user deleted and made again
   * under the same name does not inherit the old one's sessions (a counter would restart).
   */
  epoch: string;
  source: 'config' | 'state';
}

export type PublicUser = Omit<User, 'passwordHash' | 'epoch'>;

const StoredUserSchema = z.object({
  role: RoleSchema,
  passwordHash: z.string(),
  createdAt: z.string(),
  version: z.number().int().default(1),
  epoch: z.string().optional(),
});

const newEpoch = () => randomBytes(16).toString('base64url');

/**
 * Config-file users and records from before epochs: derived from the password hash, whose
 * random salt changes with every new password.
 */
function hashEpoch(passwordHash: string): string {
  return createHash('sha256').update(`epoch:${passwordHash}`).digest('base64url').slice(0, 22);
}

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
  const { passwordHash, epoch, ...rest } = user;
  void passwordHash;
  void epoch;
  return rest;
}

export async function getUser(store: AuthStore, name: string): Promise<User | null> {
  const fromConfig = store.config.users.find((u) => u.name === name);
  if (fromConfig) return { ...fromConfig, createdAt: null, version: 1, epoch: hashEpoch(fromConfig.passwordHash), source: 'config' };
  const raw = await store.redis.hget(store.keys.users, name);
  if (!raw) return null;
  const parsed = StoredUserSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) return null;
  return { name, ...parsed.data, epoch: parsed.data.epoch ?? hashEpoch(parsed.data.passwordHash), source: 'state' };
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
  const record = { role, passwordHash: await hashPassword(password), createdAt: new Date().toISOString(), version: 1, epoch: newEpoch() };
  const created = await store.redis.hsetnx(store.keys.users, name, JSON.stringify(record));
  if (created === 0) throw new TriageError('CONFLICT', `user ${name} already exists`);
  return { name, role, createdAt: record.createdAt, version: 1, source: 'state' };
}

/**
 * The last-admin check and the write, in one script. KEYS: users hash. ARGV: name, its new
 * record ('' to remove it), the number of admins the config file defines.
 * → 0 no such user, -1 it is the last admin and would stop being one, 1 done.
 */
const GUARDED_WRITE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local function isAdmin(raw)
  local ok, record = pcall(cjson.decode, raw)
  return ok and type(record) == 'table' and record.role == 'admin'
end
if isAdmin(current) and not (ARGV[2] ~= '' and isAdmin(ARGV[2])) then
  local admins = tonumber(ARGV[3])
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if all[i] ~= ARGV[1] and isAdmin(all[i + 1]) then admins = admins + 1 end
  end
  if admins == 0 then return -1 end
end
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

/**
 * Writes or removes a stored user in one step with the last-admin check, so two admins
 * demoting each other at once cannot leave nobody able to administer Triage.
 */
async function guardedWrite(store: AuthStore, name: string, record: object | null): Promise<boolean> {
  const configAdmins = store.config.users.filter((u) => u.role === 'admin').length;
  const result = Number(await store.redis.eval(GUARDED_WRITE, 1, store.keys.users, name, record ? JSON.stringify(record) : '', configAdmins));
  if (result === -1) throw new TriageError('CONFLICT', `${name} is the last admin; make another user admin first`);
  return result === 1;
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
    epoch: change.password === undefined ? current.epoch : newEpoch(),
  };
  if (!(await guardedWrite(store, name, record))) throw new TriageError('NOT_FOUND', `no user ${name}`);
  return { name, role: record.role, createdAt: record.createdAt, version: record.version, source: 'state' };
}

/** Removes a stored user (never the last admin); their sessions end with their epoch. */
export async function removeUser(store: AuthStore, name: string): Promise<boolean> {
  assertNotConfigUser(store, name);
  return guardedWrite(store, name, null);
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
