import { describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import * as workersRoute from '@/app/api/v1/workers/route';
import * as queueRoute from '@/app/api/v1/queues/[broker]/[queue]/route';
import { resetRuntime } from '@/lib/server/runtime';
import type { Queue } from '@/lib/shared/types';
import type { WorkerView } from '@/lib/state/worker-store';
import { call, writeTestConfig } from '../api-client';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '../support';
import { activeQueues, celery, startWorker, stopWorker, type ProbeEnv, type WorkerOptions } from './celery';
import { apiQueue, interopScratch, logFile } from './interop-harness';

/**
 * Diagnostics from what real Celery workers report over remote control: three workers at
 * once, each on its own queue, so one broadcast diagnoses them all.
 */

const { names: scratchNames, rabbitQueues } = interopScratch();

interface Case {
  label: string;
  queue: string;
  hostname: string;
  probe: ProbeEnv;
  options: WorkerOptions;
}

function makeCase(label: string, brokerUrl: string, env: Partial<ProbeEnv>, options: WorkerOptions): Case {
  const queue = uniqueName(`diag-${label}`);
  return {
    label,
    queue,
    hostname: `${queue}@triage-test`,
    probe: { PROBE_BROKER_URL: brokerUrl, PROBE_QUEUE: queue, PROBE_LOG: logFile(), PROBE_MAX_PRIORITY: '10', ...env },
    options: { ...options, hostname: `${queue}@triage-test` },
  };
}

async function withWorkers<T>(cases: Case[], body: () => Promise<T>): Promise<T> {
  const workers: ChildProcess[] = cases.map((c) => startWorker(c.probe, c.options));
  try {
    for (const c of cases) {
      await waitFor(`worker ${c.label} to consume its queue`, () => activeQueues(c.probe, c.hostname)?.includes(c.queue), 60_000, 500);
    }
    return await body();
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
  }
}

async function listedWorker(broker: string, hostname: string): Promise<WorkerView> {
  const res = await call<{ workers: WorkerView[] }>(workersRoute.GET, 'GET', '/api/v1/workers');
  const found = res.body.workers.find((w) => w.id === `celery:${broker}:${hostname}`);
  if (!found) throw new Error(`worker ${hostname} not listed: ${JSON.stringify(res.body.workers.map((w) => w.id))}`);
  return found;
}

async function queueView(broker: string, queue: string): Promise<Queue> {
  const res = await call<Queue>(queueRoute.GET, 'GET', `/api/v1/queues/${broker}/${queue}`, { broker, queue });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const mentioning = (warnings: string[], hostname: string) => warnings.filter((w) => w.includes(hostname));

/**
 * Diagnoses are refreshed in the background (API requests never wait for replies), and a
 * worker slow to answer under load is only asked again after the 30 s interval: retry the
 * check until it holds.
 */
function eventually<T>(what: string, check: () => Promise<T>): Promise<T> {
  return waitFor(what, check, 100_000, 250);
}

describe.skipIf(!celery.ok)(`Diagnostics from real Celery workers' remote-control replies (${celery.reason})`, () => {
  it('Redis: prefetch multiplier 4 with early acks, other priority steps, and a well-configured worker', async () => {
    const bad = makeCase('bad', REDIS_URL, { PROBE_ACKS_LATE: '0' }, { prefetchMultiplier: 4 });
    const good = makeCase('good', REDIS_URL, {}, {});
    const steps = makeCase('steps', REDIS_URL, { PROBE_STEPS: JSON.stringify([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }, {});
    const cases = [bad, good, steps];
    scratchNames.push(...cases.map((c) => c.queue));
    await resetRuntime();
    writeTestConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: cases.map((c) => ({ name: c.queue })) }] });
    await withWorkers(cases, async () => {
      const badQueue = await eventually('the bad worker’s warnings on its queue', async () => {
        const warnings = mentioning((await apiQueue('redis', bad.queue))!.warnings, bad.hostname);
        expect(warnings).toHaveLength(2);
        return warnings;
      });
      expect(badQueue.join('\n')).toMatch(/reserves up to 4 tasks for 1 slot.*worker_prefetch_multiplier = 1/);
      expect(badQueue.join('\n')).toMatch(/acknowledges tasks early.*task_acks_late = True/);
      // The single-queue route says the same.
      expect(mentioning((await queueView('redis', bad.queue)).warnings, bad.hostname)).toEqual(badQueue);
      const badWorker = await eventually('the bad worker listed from its replies', async () => {
        const worker = await listedWorker('redis', bad.hostname);
        expect(worker).toMatchObject({ concurrency: 1, prefetch: 4, queues: [bad.queue], broker: 'redis', stale: false });
        return worker;
      });
      expect(badWorker.warnings).toEqual(badQueue);

      await eventually('the good worker listed without warnings', async () => {
        expect(await listedWorker('redis', good.hostname)).toMatchObject({ concurrency: 1, prefetch: 1, queues: [good.queue], warnings: [] });
        return true;
      });
      expect(mentioning((await apiQueue('redis', good.queue))!.warnings, good.hostname)).toEqual([]);

      const stepsQueue = await eventually('the steps warning', async () => {
        const warnings = mentioning((await apiQueue('redis', steps.queue))!.warnings, steps.hostname);
        expect(warnings).toHaveLength(1);
        return warnings;
      });
      expect(stepsQueue).toEqual([
        `Celery worker ${steps.hostname} uses priority_steps [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] but ${steps.queue} is configured with [0, 3, 6, 9]: it never takes from the lists only Triage uses, and sends its own to lists Triage does not count`,
      ]);
      expect((await listedWorker('redis', steps.hostname)).warnings).toEqual(stepsQueue);
    });
  });

  it('RabbitMQ: prefetch multiplier 4 with early acks, and a well-configured worker', async () => {
    const bad = makeCase('rbad', AMQP_URL, { PROBE_ACKS_LATE: '0' }, { prefetchMultiplier: 4 });
    const good = makeCase('rgood', AMQP_URL, {}, {});
    const cases = [bad, good];
    rabbitQueues.push(...cases.map((c) => c.queue));
    await resetRuntime();
    writeTestConfig({
      brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: cases.map((c) => ({ name: c.queue, maxPriority: 10 })) }],
    });
    await withWorkers(cases, async () => {
      const badQueue = await eventually('the bad worker’s warnings on its queue', async () => {
        const warnings = mentioning((await queueView('rabbitmq', bad.queue)).warnings, bad.hostname);
        expect(warnings).toHaveLength(2);
        return warnings;
      });
      expect(badQueue.join('\n')).toMatch(/reserves up to 4 tasks for 1 slot/);
      expect(badQueue.join('\n')).toMatch(/acknowledges tasks early/);
      const badWorker = await eventually('the bad worker listed from its replies', async () => {
        const worker = await listedWorker('rabbitmq', bad.hostname);
        expect(worker).toMatchObject({ concurrency: 1, prefetch: 4, queues: [bad.queue] });
        return worker;
      });
      expect(badWorker.warnings).toEqual(badQueue);

      await eventually('the good worker listed without warnings', async () => {
        expect(await listedWorker('rabbitmq', good.hostname)).toMatchObject({ concurrency: 1, prefetch: 1, queues: [good.queue], warnings: [] });
        return true;
      });
      expect(mentioning((await queueView('rabbitmq', good.queue)).warnings, good.hostname)).toEqual([]);
    });
  });
});
