import { describe, expect, it } from 'vitest';
import { buildTaskMessage, toRedisPayload, type CeleryMessage } from './celery-codec';

/** The envelope as an object, stringified generically: what toRedisPayload's template must equal. */
function reference(message: CeleryMessage, route: { exchange?: string; routingKey: string; deliveryTag: string }): string {
  const { content_type, content_encoding, priority, ...rest } = message.properties;
  return JSON.stringify({
    body: Buffer.from(message.body, 'utf8').toString('base64'),
    'content-encoding': content_encoding,
    'content-type': content_type,
    headers: message.headers,
    properties: {
      correlation_id: rest.correlation_id,
      reply_to: rest.reply_to,
      delivery_mode: rest.delivery_mode,
      ...(rest.expiration ? { expiration: rest.expiration } : {}),
      delivery_info: { exchange: route.exchange ?? '', routing_key: route.routingKey },
      priority: priority ?? 0,
      body_encoding: 'base64',
      delivery_tag: route.deliveryTag,
    },
  });
}

describe('toRedisPayload', () => {
  it('writes exactly what JSON.stringify of the envelope object writes', () => {
    const messages: CeleryMessage[] = [
      buildTaskMessage({ task: 'a.task', args: ['x'.repeat(600), 1] }, 6),
      buildTaskMessage({ task: 'é"\\task', args: [{ 'k"': 'café\n' }], kwargs: { a: null }, extraHeaders: { stamps: { x: [1] }, '1': 'numeric key' } }),
      buildTaskMessage({ task: 'a', expires: new Date(Date.now() + 60_000).toISOString(), eta: '2030-01-01T00:00:00+00:00' }, 12),
    ];
    const foreign = buildTaskMessage({ task: 'b' });
    messages.push({ ...foreign, properties: { correlation_id: foreign.properties.correlation_id, delivery_mode: 1, content_type: 'application/x-"odd"', content_encoding: 'utf-8', priority: 2.5 } });
    messages.push({ ...foreign, properties: { ...foreign.properties, reply_to: undefined, priority: Number.NaN } });
    for (const message of messages) {
      for (const route of [{ routingKey: 'celery', deliveryTag: 'tag-1' }, { exchange: 'ex"', routingKey: 'q\u2028', deliveryTag: '' }]) {
        expect(toRedisPayload(message, route)).toBe(reference(message, route));
      }
    }
  });

  it('writes headers exactly as JSON.stringify does, whatever their shape', () => {
    const built = buildTaskMessage({ task: 't', args: ["it's", 'x'.repeat(600)], timelimit: [10, null] });
    const shapes: Record<string, unknown>[] = [
      built.headers,
      { ...built.headers, eta: undefined },
      { ...built.headers, extra: 'after the last' },
      Object.fromEntries(Object.entries(built.headers).reverse()),
      Object.fromEntries(Object.entries(built.headers).slice(0, -1)),
      { ...built.headers, retries: Number.NaN, origin: 'gen1@h "q"' },
    ];
    for (const headers of shapes) {
      const payload = toRedisPayload({ ...built, headers }, { routingKey: 'q', deliveryTag: 't' });
      expect(payload).toBe(reference({ ...built, headers }, { routingKey: 'q', deliveryTag: 't' }));
    }
  });

  it('writes a body exactly as JSON.stringify([args, kwargs, embed]) does', () => {
    const embed = { callbacks: [{ task: 'cb' }], errbacks: null, chain: null, chord: null };
    const argLists: unknown[][] = [
      [],
      ['x'.repeat(600), 1],
      [-0, Number.NaN, Number.POSITIVE_INFINITY, 1.5e300, 'é"\\\n', '\u2028', '\ud800'],
      [1, , 3],
      [undefined, null, true],
      [{ a: [1, 'b'] }, [2, 3]],
    ];
    for (const args of argLists) {
      for (const spec of [{ task: 't', args }, { task: 't', args, kwargs: { k: 'v' }, embed }]) {
        const message = buildTaskMessage(spec);
        expect(message.body).toBe(JSON.stringify([args, spec.kwargs ?? {}, spec.embed ?? { callbacks: null, errbacks: null, chain: null, chord: null }]));
      }
    }
  });

  it('picks a fresh delivery tag when none is given', () => {
    const message = buildTaskMessage({ task: 'a' });
    const tags = [0, 1].map(() => (JSON.parse(toRedisPayload(message, { routingKey: 'q' })) as { properties: { delivery_tag: string } }).properties.delivery_tag);
    expect(tags[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tags[0]).not.toBe(tags[1]);
  });
});
