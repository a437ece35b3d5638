import type { Redis } from 'ioredis';
import { isInternalQueueName, parseStepKey, queueFromBindingMember, type KeyOptions } from './keys';
import { execOrThrow } from './multi';

/**
 * Finds kombu queues on a Redis server: queues named by `_kombu.binding.*` sets (Celery
 * declares them on every publish and worker start) and lists that look like queue step
 * keys. Cost grows with the number of keys, never with list lengths.
 */
export interface DiscoveredQueue {
  name: string;
  /** Step numbers that have a list right now (stray steps show a steps mismatch). */
  stepsSeen: Set<number>;
}

export async function discoverQueues(
  client: Redis,
  opts: KeyOptions,
  excludePrefixes: readonly string[],
): Promise<Map<string, DiscoveredQueue>> {
  const found = new Map<string, DiscoveredQueue>();
  const note = (name: string, step: number | null) => {
    if (!name || isInternalQueueName(name) || excludePrefixes.some((p) => name.startsWith(p))) return;
    const entry = found.get(name) ?? { name, stepsSeen: new Set<number>() };
    if (step !== null) entry.stepsSeen.add(step);
    found.set(name, entry);
  };

  const bindingPattern = `${escapeGlob(opts.prefix)}_kombu.binding.*`;
  for await (const keys of scan(client, bindingPattern, 'set')) {
    if (keys.length === 0) continue;
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.smembers(key);
    for (const members of (await execOrThrow(pipeline)) as (string[] | null)[]) {
      for (const member of members ?? []) {
        note(queueFromBindingMember(opts, member) ?? '', null);
      }
    }
  }

  for await (const keys of scan(client, `${escapeGlob(opts.prefix)}*`, 'list')) {
    for (const key of keys) {
      const { queue, step } = parseStepKey(opts, key.slice(opts.prefix.length));
      note(queue, step);
    }
  }
  return found;
}

async function* scan(client: Redis, match: string, type: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000, 'TYPE', type);
    cursor = next;
    yield keys;
  } while (cursor !== '0');
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
