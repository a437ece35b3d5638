import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import type { OperationRecord } from '@/lib/state/operations';
import * as drainRoute from '@/app/api/v1/queues/[broker]/[queue]/drain/route';
import * as messagesRoute from '@/app/api/v1/queues/[broker]/[queue]/messages/route';
import * as operationRoute from '@/app/api/v1/operations/[id]/route';
import { AMQP_URL, MANAGEMENT_URL, rawRedis, deleteKeysLike, uniqueName, waitFor } from './support';
import { call, useConfig } from './api-client';
import { declareRabbit, deleteRabbit, fillRabbit, rabbitCount, readRabbit } from './control/helpers';

/**
 * Issue #17.13, with the queue type unknown: the management API does not list the stream yet, so
 * nothing tells Triage it is a stream and a browse really sends basic.get, which
 * RabbitMQ answers with 540 NOT_IMPLEMENTED by closing the connection. That connection must
 * be the browse's own, never the one a drain of another queue is using.
 */

const prefix = `${uniqueName('iso-state')}:`;
const stream = uniqueName('iso-stream');
const source = uniqueName('iso-src');
let amqp: ChannelModel;

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The management API as it is just after a queue is declared: it does not know the queue
 * yet (404 for it), while answering everything else from the real API.
 */
async function managementNotKnowing(hidden: string): Promise<{ url: string; close: () => Promise<void> }> {
  const real = new URL(MANAGEMENT_URL);
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0]!.endsWith(`/${encodeURIComponent(hidden)}`)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Object Not Found","reason":"Not Found"}');
      return;
    }
    fetch(`${real.origin}${req.url}`, { headers: { authorization: req.headers.authorization ?? '', accept: 'application/json' } }).then(
      async (upstream) => res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await upstream.arrayBuffer())),
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${real.username}:${real.password}@127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let management: Awaited<ReturnType<typeof managementNotKnowing>>;

beforeAll(async () => {
  management = await managementNotKnowing(stream);
  useConfig({
    statePrefix: prefix,
    brokers: [{ id: 'blind', kind: 'rabbitmq', url: AMQP_URL, managementUrl: management.url, queues: [] }],
  });
  amqp = await connect(AMQP_URL, { noDelay: true });
});

afterAll(async () => {
  await resetRuntime();
  await deleteRabbit(amqp, stream, source, `${source}.drained`);
  await amqp.close();
  await management.close();
  const redis = rawRedis();
  await deleteKeysLike(redis, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('a browse that kills its connection (basic.get on a stream) during a drain', () => {
  it('the drain completes with exact counts; each browse answers an error with the error shape', async () => {
    await declareRabbit(amqp, stream, { 'x-queue-type': 'stream' });
    await declareRabbit(amqp, source);
    const total = 20_000;
    const ids = await fillRabbit(amqp, source, Array.from({ length: total }, (_, i) => i % 10));
    await fillRabbit(amqp, stream, [5]);

    const opId = `iso-drain-${Date.now()}`;
    const drain = call<{ moved: number }>(drainRoute.POST, 'POST', `/api/v1/queues/blind/${source}/drain`, { broker: 'blind', queue: source }, { operationId: opId });
    await waitFor('the drain under way', async () => {
      const op = await call<OperationRecord>(operationRoute.GET, 'GET', `/api/v1/operations/${opId}`, { id: opId });
      if (op.status === 200 && op.body.status === "failed") throw new Error(JSON.stringify(op.body));
      return op.status === 200 && op.body.progress.moved > 0;
    });
    const browses: { status: number; body: ErrorBody }[] = [];
    for (let i = 0; i < 4; i++) {
      browses.push(await call<ErrorBody>(messagesRoute.GET, 'GET', `/api/v1/queues/blind/${stream}/messages`, { broker: 'blind', queue: stream }));
    }
    const done = await drain;
    // The browses ran while the drain was still moving messages.
    expect(browses).toHaveLength(4);
    for (const browse of browses) {
      expect(browse.status).toBeGreaterThanOrEqual(400);
      expect(browse.status).not.toBe(500);
      expect(browse.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect(done).toMatchObject({ status: 200, body: { moved: total } });
    expect(await rabbitCount(amqp, source)).toBe(0);
    // Confirmed publishes can take a moment to show in the queue's count; a lost message never does.
    await waitFor('every drained message counted in the target', async () => (await rabbitCount(amqp, `${source}.drained`)) === total);
    const drained = await readRabbit(amqp, `${source}.drained`);
    expect(drained).toHaveLength(total);
    expect(drained.map((m) => m.id).sort()).toEqual([...ids].sort());
  }, 180_000);
});
