import { decodeRedisPayload, type RedisDecodeResult } from '@/lib/shared/celery-codec';
import type { Message } from '@/lib/shared/types';
import { toApiMessage } from '../api-message';
import { taskPriorityIn, type PhysicalList, type QueueLayout } from './layout';

/**
 * One element of `list` as an API Message. `priority` is where the message is actually
 * queued (its list's level); `taskPriority` is what its `properties.priority` says.
 */
export function redisMessage(raw: Buffer, layout: QueueLayout, list: PhysicalList, includeRaw = false): Message {
  const text = raw.toString('utf8');
  const decoded = decodeRedisPayload(text);
  const brokerPriority = decoded.envelope?.brokerPriority ?? null;
  return toApiMessage(decoded, {
    priority: list.level,
    brokerPriority,
    taskPriority: taskPriorityIn(layout, list, envelopePriority(decoded, text)),
    fallbackId: decoded.envelope?.deliveryTag ?? null,
    raw: () => text,
    includeRaw,
  });
}

/**
 * `properties.priority` as kombu reads it: a number, or a foreign producer's string ("5" is 5
 * to kombu too); null without an envelope. The browser and the worker both go by this.
 */
export function envelopePriority(decoded: RedisDecodeResult, text: string): unknown {
  if (!decoded.envelope) return null;
  return decoded.envelope.brokerPriority ?? rawPriority(text);
}

function rawPriority(text: string): unknown {
  try {
    const parsed = JSON.parse(text) as { properties?: { priority?: unknown } };
    return parsed.properties?.priority ?? null;
  } catch {
    return null;
  }
}
