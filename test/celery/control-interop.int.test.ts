import { afterAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import * as reprioritize from '@/app/api/v1/queues/[broker]/[queue]/reprioritize/route';
import * as pause from '@/app/api/v1/queues/[broker]/[queue]/pause/route';
import * as resume from '@/app/api/v1/queues/[broker]/[queue]/resume/route';
import { call, writeTestConfig } from '../api-client';
import type { PidboxCommand } from '@/lib/brokers/types';
import { pidboxChannel } from '@/lib/brokers/redis/control/pidbox';
import { REDIS_URL, rawRedis, scratchRedis, uniqueName, waitFor } from '../support';
import { activeQueues, celery, executions, produce, startWorker, stopWorker, type ProbeEnv } from './celery';
import { apiBrowse, logFile, runCeleryWorker } from './interop-harness';

const scratch = scratchRedis();
const redis = scratch.client;
const cleanup = scratch.names;

afterAll(async () => {
  await resetRuntime();
  await scratch.done();
  delete process.env.TRIAGE_CONFIG;
});

/** Subscribes to kombu's pidbox channel on the test Redis (no global_keyprefix) and decodes each command. */
async function listenToPidbox(): Promise<{ received: PidboxCommand[]; close: () => Promise<void> }> {
  const subscriber = rawRedis();
  const received: PidboxCommand[] = [];
  subscriber.on('message', (_channel: string, raw: string) => {
    try {
      const envelope = JSON.parse(raw) as { body: string };
      received.push(JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8')) as PidboxCommand);
    } catch {
      // Not a kombu command (nothing Triage sent): not what this test looks for.
    }
  });
  await subscriber.subscribe(pidboxChannel(subscriber, ''));
  return { received, close: async () => void (await subscriber.quit()) };
}

function setup(): { queue: string; probe: ProbeEnv } {
  const queue = uniqueName('cctl');
  cleanup.push(queue);
  writeTestConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] }] });
  return { queue, probe: { PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue, PROBE_LOG: logFile() } };
}

describe.skipIf(!celery.ok)(`Triage's control plane driving real Celery (${celery.reason})`, () => {
  it('reprioritizing Celery-produced tasks changes the order a real Celery worker runs them', async () => {
    await resetRuntime();
    const { queue, probe } = setup();
    const sent = [9, 9, 3, 3, 9, 0];
    const ids = produce(probe, sent);
    const res = await call<{ matched: number; moved: number }>(
      reprioritize.POST,
      'POST',
      `/api/v1/queues/redis/${queue}/reprioritize`,
      { broker: 'redis', queue },
      { priority: 0, match: { priorities: [9] } },
    );
    expect(res.body).toMatchObject({ matched: 3, moved: 3 });
    const boosted = ids.filter((_, i) => sent[i] === 9);
    const planned = (await apiBrowse('redis', queue)).messages.map((m) => m.id);
    // The priority-0 task first, then the boosted ones (FIFO among themselves), then the 3s.
    expect(planned).toEqual([ids[5], ...boosted, ids[2], ids[3]]);
    const ran = await runCeleryWorker(probe, sent.length);
    expect(ran.map((e) => e.id)).toEqual(planned);
  });

  it('pausing a queue through the API stops a running Celery worker taking from it; resuming lets it continue, and only it is told', async () => {
    await resetRuntime();
    const { queue, probe } = setup();
    const hostname = `${queue}@triage-test`;
    const worker = startWorker(probe, { hostname });
    // Every remote-control command sent on this Redis (kombu's pidbox fanout is pub/sub).
    const commands = await listenToPidbox();
    try {
      await waitFor('the worker to consume the queue', () => activeQueues(probe, hostname)?.includes(queue), 60_000, 500);
      const paused = await call(pause.POST, 'POST', `/api/v1/queues/redis/${queue}/pause`, { broker: 'redis', queue });
      expect(paused.status).toBe(200);
      await waitFor('cancel_consumer to reach the worker', () => {
        const queues = activeQueues(probe, hostname);
        return queues !== null && !queues.includes(queue);
      }, 30_000, 500);
      const [id] = produce(probe, [0]);
      expect(await redis.llen(queue)).toBe(1);
      await call(resume.POST, 'POST', `/api/v1/queues/redis/${queue}/resume`, { broker: 'redis', queue });
      const ran = await waitFor('the task to run after resume', () => executions(probe.PROBE_LOG!).find((e) => e.id === id), 60_000, 200);
      expect(ran.id).toBe(id);
      // add_consumer makes any worker it reaches consume the queue: it went to the paused one only.
      const adds = commands.received.filter((c) => c.method === 'add_consumer' && c.arguments.queue === queue);
      expect(adds.map((c) => c.destination)).toEqual([[hostname]]);
    } finally {
      await commands.close();
      await stopWorker(worker);
    }
  });
});
