import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import type { Message } from '@/lib/shared/types';
import { toApiMessage } from '../api-message';

/**
 * One Redis list element as an API Message. `level` is where the message is actually
 * queued (its list), whatever its `properties.priority` says.
 */
export function redisMessage(raw: Buffer, level: number, includeRaw = false): Message {
  const text = raw.toString('utf8');
  const decoded = decodeRedisPayload(text);
  return toApiMessage(decoded, {
    priority: level,
    brokerPriority: decoded.envelope?.brokerPriority ?? null,
    fallbackId: decoded.envelope?.deliveryTag ?? null,
    raw: () => text,
    includeRaw,
  });
}
