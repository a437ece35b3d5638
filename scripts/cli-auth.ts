/**
 * Shared plumbing for `npm run user` and `npm run token`: argument parsing, secrets from
 * stdin or the environment, and a store on Triage's state Redis without broker connections.
 */
import { parseArgs } from 'node:util';
import { loadConfig, RoleSchema } from '@/lib/config';
import type { Role } from '@/lib/shared/roles';
import { makeAuthStore, type AuthStore } from '@/lib/state/auth-store';
import { connectStateRedis } from '@/lib/state/connect';

export interface CliArgs {
  command: string | undefined;
  name: string | undefined;
  role: Role | undefined;
  passwordStdin: boolean;
}

export function parseCli(argv: string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false } },
  });
  const role = values.role === undefined ? undefined : RoleSchema.parse(values.role);
  return { command: positionals[0], name: positionals[1], role, passwordStdin: values['password-stdin'] ?? false };
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the shell's, not the secret's (`echo pw | ...`).
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function withStore<T>(run: (store: AuthStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = connectStateRedis(config.stateRedisUrl, { name: 'triage:cli' });
  try {
    await redis.connect();
    return await run(makeAuthStore(redis, config));
  } finally {
    redis.disconnect();
  }
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Runs a CLI main, printing errors as one line (no stack) and exiting non-zero. */
export function runCli(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const issues = (error as { issues?: { path: unknown[]; message: string }[] }).issues;
    const message = issues ? issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') : (error as Error).message;
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  });
}
