import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';

/**
 * Lua scripts live in `lua/<name>.lua`, each opening with a header that documents KEYS,
 * ARGV and the reply. This loader registers them as ioredis commands (EVALSHA with a
 * transparent EVAL fallback after a server restart flushed the script cache).
 */
const SCRIPT_DIR = path.join(process.cwd(), 'lib', 'brokers', 'redis', 'lua');

const SCRIPTS = ['queue-stats', 'consume-take', 'consume-settle', 'delayed-promote', 'restore-one', 'mutex-release', 'move-batch', 'move-tail', 'remove-batch', 'read-arrivals', 'take-arrivals'] as const;
export type ScriptName = (typeof SCRIPTS)[number];

const sources = new Map<ScriptName, string>();

function source(name: ScriptName): string {
  let text = sources.get(name);
  if (!text) {
    text = readFileSync(path.join(SCRIPT_DIR, `${name}.lua`), 'utf8');
    sources.set(name, text);
  }
  return text;
}

type ScriptCall = (numKeys: number, ...args: (string | number | Buffer)[]) => Promise<unknown>;

/**
 * Registers every script on the client once; returns a typed caller. With `replies:
 * 'buffer'`, bulk strings in the reply come back as Buffers (message bytes, exactly).
 */
export function scripts(
  client: Redis,
  replies: 'string' | 'buffer' = 'string',
): Record<ScriptName, (keys: string[], args: (string | number | Buffer)[]) => Promise<unknown>> {
  const registry = client as unknown as Record<string, ScriptCall | undefined>;
  const callers = {} as Record<ScriptName, (keys: string[], args: (string | number | Buffer)[]) => Promise<unknown>>;
  for (const name of SCRIPTS) {
    const command = `triage_${name.replace(/-/g, '_')}`;
    if (!registry[command]) client.defineCommand(command, { lua: source(name) });
    // defineCommand also defines `<command>Buffer`, the same script with binary replies.
    const call = replies === 'buffer' ? `${command}Buffer` : command;
    callers[name] = (keys, args) => (registry[call] as ScriptCall).call(client, keys.length, ...keys, ...args);
  }
  return callers;
}
