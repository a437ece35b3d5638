import { describe, expect, it } from 'vitest';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { laneGroupLayout, plainLayout } from '../layout';
import { matchesSelector } from '../../browse-filter';

const matches = (m: { id: string | null; task: string | null; priority: number }, selector: Parameters<typeof matchesSelector>[2], ids: Set<string> | null) =>
  matchesSelector(m, m.priority, selector, ids);
import { payloadFor, peek, toTransfer } from './envelope';

const layout = (name: string) => plainLayout({ globalKeyprefix: '', sep: '\x06\x16', steps: [0, 3, 6, 9] }, name, undefined);

describe('control envelopes', () => {
  const payload = toRedisPayload(buildTaskMessage({ id: 'id-1', task: 'a.task', args: [1] }, 4), { routingKey: 'q' });
  const raw = Buffer.from(payload);
  const q = layout('q');
  const step3 = q.lists[1]!;

  it('peeks id, task and the own priority without touching the bytes; selects by own priority', () => {
    const p = peek(raw, q, step3);
    expect(p).toMatchObject({ id: 'id-1', task: 'a.task', priority: 4 });
    expect(matches(p, { task: 'a.task', priorities: [4] }, new Set(['id-1']))).toBe(true);
    // The level (3) is not the task's priority.
    expect(matches(p, { priorities: [3] }, null)).toBe(false);
    expect(matches(peek(Buffer.from('not json'), q, q.lists[0]!), {}, null)).toBe(true);
    expect(matches(peek(Buffer.from('not json'), q, q.lists[0]!), { task: 'a.task' }, null)).toBe(false);
  });

  it('keeps a lane message inside its lane range', () => {
    const lanes = laneGroupLayout({ globalKeyprefix: '', sep: '\x06\x16', steps: [0, 3, 6, 9], queues: [] }, {
      name: 'g',
      lanes: [
        { queue: 'hi', priorities: [0, 2] },
        { queue: 'lo', priorities: [3, 9] },
      ],
    });
    const lowStep0 = lanes.lists.find((l) => l.queue === 'lo' && l.step === 0)!;
    const none = Buffer.from(toRedisPayload(buildTaskMessage({ task: 'a' }, 0), { routingKey: 'lo' }));
    expect(peek(none, lanes, lowStep0).priority).toBe(3);
  });

  it('keeps the exact bytes when the priority and route still fit', () => {
    const out = payloadFor(toTransfer(peek(raw, q, step3), 3), step3, 4);
    expect(Buffer.isBuffer(out) && out.equals(raw)).toBe(true);
  });

  it('rewrites priority when it changes and the routing key when the queue does, nothing else', () => {
    const moved = JSON.parse(String(payloadFor(toTransfer(peek(raw, q, step3), 3), q.lists[0]!, 0))) as Record<string, Record<string, unknown>>;
    const original = JSON.parse(payload) as Record<string, Record<string, unknown>>;
    expect(moved.properties!.priority).toBe(0);
    expect({ ...moved, properties: { ...moved.properties, priority: 4 } }).toEqual(original);
    const other = layout('other');
    const routed = JSON.parse(String(payloadFor(toTransfer(peek(raw, q, step3), 3), other.lists[1]!, 4))) as { properties: { priority: number; delivery_info: { routing_key: string } } };
    expect(routed.properties.priority).toBe(4);
    expect(routed.properties.delivery_info.routing_key).toBe('other');
  });

  it('moves undecodable elements byte for byte', () => {
    const junk = Buffer.from([0xff, 0x00, 0x41]);
    const out = payloadFor(toTransfer(peek(junk, q, q.lists[0]!), 0), q.lists[2]!, 6);
    expect(Buffer.isBuffer(out) && out.equals(junk)).toBe(true);
  });
});
