import { decodeRedisPayload } from '@/lib/shared/celery-codec';
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
    // The raw value, not only numbers: kombu reads "5" as 5 too.
    taskPriority: taskPriorityIn(layout, list, decoded.envelope ? (brokerPriority ?? rawPriority(text)) : null),
    fallbackId: decoded.envelope?.deliveryTag ?? null,
    raw: () => text,
    includeRaw,
  });
}

/** `properties.priority` when it is not a number (a foreign producer's string); null when unreadable. */
function rawPriority(text: string): unknown {
  try {
    const parsed = JSON.parse(text) as { properties?: { priority?: unknown } };
    return parsed.properties?.priority ?? null;
  } catch {
    return null;
  }
}
