import { describe, expect, it } from 'vitest';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { envelopePriority } from './message';

describe('envelopePriority', () => {
  const payload = (priority: unknown) =>
    JSON.stringify({ body: '', 'content-type': 'application/json', headers: {}, properties: { priority, delivery_tag: 't' } });

  it('reads a number, a foreign string as kombu does, and nothing without an envelope', () => {
    expect(envelopePriority(decodeRedisPayload(payload(7)), payload(7))).toBe(7);
    expect(envelopePriority(decodeRedisPayload(payload('5')), payload('5'))).toBe('5');
    expect(envelopePriority(decodeRedisPayload('not json'), 'not json')).toBeNull();
  });
});
