import { afterAll, describe, expect, it } from 'vitest';
import * as revokeOne from '@/app/api/v1/tasks/[id]/revoke/route';
import { readTaskMeta, taskMetaKey } from '@/lib/celery/result-backend';
import { getBroker, resetRuntime } from '@/lib/server/runtime';
import type { RevokeResult } from '@/lib/shared/revoke';
import { call, writeTestConfig } from '../api-client';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '../support';
import { celery, executions, startWorker, stopWorker, workerStderr, type ProbeEnv } from './celery';
import { interopScratch, logFile } from './interop-harness';

/**
 * Revoke and terminate for real Celery 5.2 workers on both brokers, through Triage's API:
 * a task waiting in the queue is taken out of it and revoked by remote control, one a worker
 * already reserved is revoked by remote control alone: neither runs; a running one is
 * terminated (REVOKED in the result backend within 5 s), the worker lives on and runs the
 * next task.
 */
const scratch = interopScratch();
afterAll(() => {
  delete process.env.TRIAGE_STATE_PREFIX;
});

const BROKERS = [
  {
    id: 'redis',
    url: REDIS_URL,
    config: (queue: string) => ({ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] }),
    probe: (queue: string): ProbeEnv => ({ PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue }),
  },
  {
    id: 'rabbitmq',
    url: AMQP_URL,
    config: (queue: string) => ({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: queue, maxPriority: 10 }] }),
    probe: (queue: string): ProbeEnv => ({ PROBE_BROKER_URL: AMQP_URL, PROBE_QUEUE: queue, PROBE_MAX_PRIORITY: '10' }),
  },
];

describe.skipIf(!celery.ok).each(BROKERS)(`revoke with real Celery on $id (${celery.reason})`, (target) => {
  async function setup(label: string): Promise<{ queue: string; probe: ProbeEnv }> {
    const queue = uniqueName(label);
    const statePrefix = `t-${queue}-state:`;
    scratch.names.push(queue, statePrefix);
    scratch.rabbitQueues.push(queue);
    await resetRuntime();
    writeTestConfig({ statePrefix, brokers: [target.config(queue)] });
    process.env.TRIAGE_STATE_PREFIX = statePrefix;
    return { queue, probe: { ...target.probe(queue), PROBE_LOG: logFile(), PROBE_RESULT_BACKEND: REDIS_URL } };
  }

  async function enqueue(queue: string, sleeps: number[]): Promise<string[]> {
    const broker = await getBroker(target.id);
    const ids = await broker.enqueue(
      queue,
      sleeps.map((sleep) => ({ priority: 5, spec: { task: 'probe.work', kwargs: sleep > 0 ? { sleep } : {} } })),
    );
    scratch.names.push(...ids.map((id) => taskMetaKey(id)));
    return ids;
  }

  const revoke = (id: string, body: object = {}) => call<RevokeResult>(revokeOne.POST, 'POST', `/api/v1/tasks/${id}/revoke`, { id }, body);
  const ran = (probe: ProbeEnv) => executions(probe.PROBE_LOG!).map((e) => e.id);

  it.each([
    { where: 'waiting in the queue', prefetchMultiplier: 1 },
    { where: 'reserved by the worker', prefetchMultiplier: 4 },
  ])('a task $where never runs once revoked', async ({ prefetchMultiplier }) => {
    const { queue, probe } = await setup('crv-wait');
    const [long, victim, after] = await enqueue(queue, [3, 0, 0]);
    const worker = startWorker(probe, { prefetchMultiplier });
    try {
      await waitFor('the long task to start', () => ran(probe).includes(long!), 60_000, 100);
      const res = await revoke(victim!);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ revoked: 1, terminated: 0 });
      // One slot, prefetch 1 with late acks: it still waits in the queue, so it is archived.
      if (prefetchMultiplier === 1) expect(res.body.archives).toMatchObject([{ broker: target.id, queue, count: 1 }]);
      await waitFor('the task after it to run', () => ran(probe).includes(after!), 60_000, 100);
      expect(ran(probe)).toEqual([long, after]);
    } finally {
      await stopWorker(worker);
    }
  });

  it('terminate stops a running task: REVOKED within 5 s, the worker lives on and runs the next task', async () => {
    const { queue, probe } = await setup('crv-term');
    const [long, next] = await enqueue(queue, [60, 0]);
    const worker = startWorker(probe);
    try {
      await waitFor('the long task to start', () => ran(probe).includes(long!), 60_000, 100);
      const asked = Date.now();
      const res = await revoke(long!, { terminate: true, signal: 'SIGKILL' });
      expect(res.body).toMatchObject({ revoked: 1, terminated: 1, archives: [] });
      await waitFor('the result backend to say REVOKED', async () => (await readTaskMeta(scratch.redis, long!))?.status === 'REVOKED', 5000, 50);
      expect(Date.now() - asked).toBeLessThan(5000);
      await waitFor('the next task to run', () => ran(probe).includes(next!), 30_000, 100);
      expect(worker.exitCode, workerStderr(worker)).toBeNull();
      expect(worker.signalCode).toBeNull();
    } finally {
      await stopWorker(worker);
    }
  });
});
