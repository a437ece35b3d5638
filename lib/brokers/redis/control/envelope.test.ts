import { describe, expect, it } from 'vitest';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { plainLayout } from '../layout';
import { matchesSelector as matches } from '../../browse-filter';
import { payloadFor, peek, toTransfer } from './envelope';

const layout = (name: string) => plainLayout({ globalKeyprefix: '', sep: '\x06\x16', steps: [0, 3, 6, 9] }, name, undefined);

describe('control envelopes', () => {
  const payload = toRedisPayload(buildTaskMessage({ id: 'id-1', task: 'a.task', args: [1] }, 4), { routingKey: 'q' });
  const raw = Buffer.from(payload);

  it('peeks id and task without touching the bytes', () => {
    const p = peek(raw);
    expect(p).toMatchObject({ id: 'id-1', task: 'a.task' });
    expect(matches(p, 3, { task: 'a.task', priorities: [3] }, new Set(['id-1']))).toBe(true);
    expect(matches(p, 3, { priorities: [0] }, null)).toBe(false);
    expect(matches(peek(Buffer.from('not json')), 0, {}, null)).toBe(true);
    expect(matches(peek(Buffer.from('not json')), 0, { task: 'a.task' }, null)).toBe(false);
  });

  it('keeps the exact bytes when the step and route still fit', () => {
    const l = layout('q');
    const out = payloadFor(toTransfer(peek(raw), 3), l, l.lists[1]!, 5);
    expect(Buffer.isBuffer(out) && out.equals(raw)).toBe(true);
  });

  it('rewrites priority when the step changes and the routing key when the queue does, nothing else', () => {
    const l = layout('q');
    const moved = JSON.parse(String(payloadFor(toTransfer(peek(raw), 3), l, l.lists[0]!, 0))) as Record<string, Record<string, unknown>>;
    const original = JSON.parse(payload) as Record<string, Record<string, unknown>>;
    expect(moved.properties!.priority).toBe(0);
    expect({ ...moved, properties: { ...moved.properties, priority: 4 } }).toEqual(original);
    const other = layout('other');
    const routed = JSON.parse(String(payloadFor(toTransfer(peek(raw), 3), other, other.lists[1]!, 3))) as { properties: { priority: number; delivery_info: { routing_key: string } } };
    expect(routed.properties.priority).toBe(4); // still maps to step 3: kept as the producer wrote it
    expect(routed.properties.delivery_info.routing_key).toBe('other');
  });

  it('moves undecodable elements byte for byte', () => {
    const junk = Buffer.from([0xff, 0x00, 0x41]);
    const l = layout('q');
    const out = payloadFor(toTransfer(peek(junk), 0), l, l.lists[2]!, 6);
    expect(Buffer.isBuffer(out) && out.equals(junk)).toBe(true);
  });
});
