import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisBrokerConfig } from './config';
import { kombuEffectivePriority, stepFor } from '@/lib/shared/priority';
import { bindingKey, configAckKeys, stepKey, type AckKeys } from './keys';
import { plainLayout } from './layout';
import { scripts } from './scripts';

/**
 * kombu's visibility-timeout restore (celery-wire.md §2.5), compatible both ways: any
 * Triage worker restores expired in-flight messages of Celery workers on the same Redis,
 * and Celery's sweep restores ours, because both use the same `unacked` hash, index and
 * `unacked_mutex`.
 *
 * Unlike kombu < 5.4 (which pushes every restored message onto the bare queue key, i.e.
 * the MOST urgent step), a message goes back to the list of its own priority
 * (`properties.priority`, read the way kombu reads it), at the consuming end (RPUSH) so it
 * is delivered next within that priority, marked redelivered like kombu marks it.
 */

/** kombu's unacked_mutex expiry: 300 s. */
const MUTEX_TTL_MS = 300_000;
const BATCH = 200;

export interface RestoreResult {
  restored: number;
  /** Entries that could not be parsed; left in place (kombu would choke on them as well). */
  skipped: number;
}

export async function restoreExpired(client: Redis, config: RedisBrokerConfig, nowMs = Date.now()): Promise<RestoreResult> {
  const keys = configAckKeys(config);
  const token = randomUUID();
  // Like redis-py's Lock that kombu uses: only one sweeper at a time, across languages.
  const locked = await client.set(keys.unackedMutex, token, 'PX', MUTEX_TTL_MS, 'NX');
  if (locked !== 'OK') return { restored: 0, skipped: 0 };
  const run = scripts(client);
  let restored = 0;
  let skipped = 0;
  try {
    const ceiling = nowMs / 1000 - config.visibilityTimeoutSec;
    for (;;) {
      const tags = await client.zrangebyscore(keys.unackedIndex, '-inf', ceiling, 'LIMIT', skipped, BATCH);
      if (tags.length === 0) break;
      for (const tag of tags) {
        const outcome = await restoreOne(client, run, config, keys, tag);
        if (outcome === 'restored') restored += 1;
        else if (outcome === 'skipped') skipped += 1;
      }
      if (tags.length < BATCH) break;
    }
  } finally {
    await run['mutex-release']([keys.unackedMutex], [token]).catch(() => {});
  }
  return { restored, skipped };
}

/**
 * Hands `tags` back to their queues now, whatever their age: a worker stopped at once returns
 * what it held, as kombu restores a closing channel's unacked messages, instead of leaving
 * them to a sweep an hour later. Returns how many went back (acked ones are gone already).
 */
export async function restoreTags(client: Redis, config: RedisBrokerConfig, tags: readonly string[]): Promise<number> {
  const keys = configAckKeys(config);
  const run = scripts(client);
  let restored = 0;
  for (const tag of tags) if ((await restoreOne(client, run, config, keys, tag)) === 'restored') restored += 1;
  return restored;
}

async function restoreOne(
  client: Redis,
  run: ReturnType<typeof scripts>,
  config: RedisBrokerConfig,
  keys: AckKeys,
  tag: string,
): Promise<'restored' | 'gone' | 'skipped'> {
  const entry = await client.hget(keys.unacked, tag);
  if (entry === null) {
    // An index entry without a message: kombu removes these too.
    await client.zrem(keys.unackedIndex, tag);
    return 'gone';
  }
  const parsed = parseEntry(entry);
  if (!parsed) return 'skipped';
  const queue = await resolveQueue(client, config, parsed.exchange, parsed.routingKey);
  const layout = plainLayout(config, queue, config.queues.find((q) => q.name === queue));
  const step = stepFor(kombuEffectivePriority(parsed.priority), layout.steps);
  const target = stepKey({ prefix: config.globalKeyprefix, sep: layout.sep }, queue, step);
  const ok = await run['restore-one']([keys.unacked, keys.unackedIndex, target], [tag, entry, parsed.redeliveredPayload]);
  return Number(ok) === 1 ? 'restored' : 'gone';
}

interface ParsedEntry {
  exchange: string;
  routingKey: string;
  priority: unknown;
  redeliveredPayload: string;
}

function parseEntry(entry: string): ParsedEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(entry);
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length < 3) return null;
  const [payload, exchange, routingKey] = value as [unknown, unknown, unknown];
  if (typeof routingKey !== 'string' || routingKey === '') return null;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const envelope = payload as { headers?: Record<string, unknown>; properties?: Record<string, unknown> };
  // kombu's _do_restore_message: mark both places, ignore a missing one.
  if (envelope.headers && typeof envelope.headers === 'object') envelope.headers.redelivered = true;
  const info = envelope.properties?.delivery_info;
  if (info && typeof info === 'object') (info as Record<string, unknown>).redelivered = true;
  return {
    exchange: typeof exchange === 'string' ? exchange : '',
    routingKey,
    priority: envelope.properties?.priority,
    redeliveredPayload: JSON.stringify(envelope),
  };
}

/**
 * kombu's `_lookup`: the anonymous exchange routes by queue name; a named direct exchange
 * through its binding set. Where kombu would drop the message (no binding), Triage falls
 * back to the routing key: never lose a message.
 */
async function resolveQueue(client: Redis, config: RedisBrokerConfig, exchange: string, routingKey: string): Promise<string> {
  if (exchange === '') return routingKey;
  const members = await client.smembers(bindingKey({ prefix: config.globalKeyprefix }, exchange));
  for (const member of members) {
    const parts = member.split(config.sep);
    if (parts.length >= 3 && parts[0] === routingKey) return parts[parts.length - 1]!;
  }
  return routingKey;
}

export type { AckKeys };
