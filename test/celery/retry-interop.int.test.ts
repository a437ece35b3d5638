import { describe, expect, it } from 'vitest';
import * as retryRoute from '@/app/api/v1/tasks/[id]/retry/route';
import * as retryManyRoute from '@/app/api/v1/tasks/retry/route';
import * as failuresRoute from '@/app/api/v1/tasks/failures/route';
import { BrokerConfigSchema, subscribeCeleryEvents } from '@/lib/brokers/registry';
import { CeleryEventIngestor } from '@/lib/celery/ingest';
import type { FailureGroups, RetryManyResult } from '@/lib/shared/task-failures';
import * as auditRoute from '@/app/api/v1/audit/route';
import { readTaskMeta, taskMetaKey } from '@/lib/celery/result-backend';
import { resetRuntime, runtime } from '@/lib/server/runtime';
import { call, writeTestConfig } from '../api-client';
import { AMQP_URL, MANAGEMENT_URL, REDIS_URL, uniqueName, waitFor } from '../support';
import { celery, executions, produce, startWorker, stopWorker, type ProbeEnv } from './celery';
import { interopScratch, logFile } from './interop-harness';

const { redis, names: scratchNames, rabbitQueues } = interopScratch();

function retry(id: string, body?: object) {
  return call<{ id?: string; broker?: string; queue?: string; operationId?: string; error?: { code: string; message: string } }>(
    retryRoute.POST,
    'POST',
    `/api/v1/tasks/${id}/retry`,
    { id },
    body,
  );
}

const brokers = [
  // Triage priority 6: Redis step 6 with kombu's default steps; AMQP priority 9 - 6 = 3.
  { id: 'redis', url: REDIS_URL, wirePriority: 6, config: (queue: string) => ({ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] }) },
  {
    id: 'rabbitmq',
    url: AMQP_URL,
    wirePriority: 3,
    config: (queue: string) => ({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: queue, maxPriority: 10 }] }),
  },
];

describe.skipIf(!celery.ok)(`Retry of a failed real Celery task rebuilt from the result backend (${celery.reason})`, () => {
  for (const broker of brokers) {
    it(`${broker.id}: re-sent from the stored request, run again by the Celery worker with the same args and kwargs at the requested priority`, async () => {
      const queue = uniqueName(`retry-${broker.id}`);
      if (broker.id === 'redis') scratchNames.push(queue);
      else rabbitQueues.push(queue);
      await resetRuntime();
      writeTestConfig({ brokers: [{ ...broker.config(queue), resultBackendUrl: REDIS_URL }] });
      const probe: ProbeEnv = { PROBE_BROKER_URL: broker.url, PROBE_QUEUE: queue, PROBE_LOG: logFile(), PROBE_RESULT_BACKEND: REDIS_URL };
      const [failId] = produce(probe, [3], 'probe.fail');
      const [okId] = produce(probe, [3], 'probe.work');
      const unknownId = uniqueName('none');
      scratchNames.push(taskMetaKey(failId!), taskMetaKey(okId!));
      const worker = startWorker(probe);
      try {
        await waitFor('the failure to be stored', async () => (await readTaskMeta(redis, failId!))?.status === 'FAILURE', 60_000, 200);
        await waitFor('the success to be stored', async () => (await readTaskMeta(redis, okId!))?.status === 'SUCCESS', 60_000, 200);
        const first = executions(probe.PROBE_LOG!).find((e) => e.id === failId)!;
        expect(first).toMatchObject({ task: 'probe.fail', args: [0, 3], kwargs: { label: 'm0' } });

        const res = await retry(failId!, { priority: 6 });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body).toMatchObject({ id: failId, broker: broker.id, queue });

        const rerun = await waitFor('the Celery worker to run the task again', () => executions(probe.PROBE_LOG!).filter((e) => e.id === failId)[1], 60_000, 200);
        expect(rerun).toMatchObject({ task: 'probe.fail', args: [0, 3], kwargs: { label: 'm0' }, priority: broker.wirePriority });

        const audit = await call<{ entries: { action: string; target: { broker: string; queue?: string; task?: string }; params: Record<string, unknown> }[] }>(
          auditRoute.GET,
          'GET',
          '/api/v1/audit?limit=200',
        );
        const entry = audit.body.entries.find((e) => e.action === 'retry' && e.target.task === failId);
        expect(entry).toMatchObject({ target: { broker: broker.id, queue, task: failId }, params: { source: 'result-backend', task: 'probe.fail', priority: 6 } });

        // A task that succeeded is not retried; one nobody knows is a 404.
        const succeeded = await retry(okId!);
        expect(succeeded.status).toBe(409);
        expect(succeeded.body.error!.message).toMatch(/is SUCCESS/);
        expect((await retry(unknownId)).status).toBe(404);
      } finally {
        await stopWorker(worker);
      }
    });
  }

  it('a failure stored without result_extended cannot be rebuilt: 422, nothing sent', async () => {
    const queue = uniqueName('retry-plain');
    scratchNames.push(queue);
    await resetRuntime();
    writeTestConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }], resultBackendUrl: REDIS_URL }] });
    const id = uniqueName('plainmeta');
    scratchNames.push(taskMetaKey(id));
    // What Celery 5.2 stores for a failure when result_extended is off (celery-wire.md §4.2).
    await redis.set(
      taskMetaKey(id),
      JSON.stringify({
        status: 'FAILURE',
        result: { exc_type: 'ValueError', exc_message: ['boom'], exc_module: 'builtins' },
        traceback: 'Traceback (most recent call last):\nValueError: boom\n',
        children: [],
        date_done: '2026-11-24T07:53:48.001943',
        task_id: id,
      }),
      'EX',
      600,
    );
    const res = await retry(id, { priority: 2 });
    expect(res.status).toBe(422);
    expect(res.body.error!.message).toMatch(/result_extended/);
    expect(await redis.exists(queue)).toBe(0);
  });

  for (const broker of brokers) {
    it(`${broker.id}: bulk retry at a chosen priority of failures known from events — re-sent where the result backend kept the request, named with the reason where nothing was kept`, async () => {
      const queue = uniqueName(`bulk-${broker.id}`);
      if (broker.id === 'redis') scratchNames.push(queue);
      else rabbitQueues.push(queue);
      await resetRuntime();
      const config = { ...broker.config(queue), resultBackendUrl: REDIS_URL };
      writeTestConfig({ brokers: [config] });
      // The server's ingestion, into the runtime's state: the failures are known from Celery's events.
      const rt = runtime();
      await rt.ready;
      const ingestor = new CeleryEventIngestor(broker.id, rt.state.tasks, rt.state.workers);
      const unsubscribe = await subscribeCeleryEvents(BrokerConfigSchema.parse(config), (events) => void ingestor.push(events));
      const probe: ProbeEnv = { PROBE_BROKER_URL: broker.url, PROBE_QUEUE: queue, PROBE_LOG: logFile(), PROBE_RESULT_BACKEND: REDIS_URL };
      const [keptId, expiredId] = produce(probe, [3, 3], 'probe.fail');
      scratchNames.push(taskMetaKey(keptId!), taskMetaKey(expiredId!));
      const worker = startWorker(probe, { events: true });
      try {
        for (const id of [keptId!, expiredId!]) {
          await waitFor(`${id} known failed from events`, async () => (await rt.state.tasks.get(id))?.state === 'failed', 60_000, 200);
          await waitFor(`${id} stored`, async () => (await readTaskMeta(redis, id))?.status === 'FAILURE', 60_000, 200);
        }
        // As after result_expires: the failure is known from events only.
        await redis.del(taskMetaKey(expiredId!));

        const failures = await call<FailureGroups>(failuresRoute.GET, 'GET', `/api/v1/tasks/failures?queue=${queue}`);
        expect(failures.status).toBe(200);
        // One group per error message (each names its args).
        const groups = failures.body.groups.filter((g) => g.task === 'probe.fail');
        expect(groups.reduce((n, g) => n + g.failed, 0)).toBe(2);
        expect(groups.flatMap((g) => g.notRetryable ?? [])).toEqual([{ reason: expect.stringMatching(/^no message kept: .*no result/), ids: [expiredId] }]);

        const retriedAt = new Date().toISOString();
        const res = await call<RetryManyResult>(retryManyRoute.POST, 'POST', '/api/v1/tasks/retry', {}, { ids: [keptId, expiredId], priority: 6 });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.matched).toBe(2);
        expect(res.body.retried).toBe(1);
        expect(res.body.failed).toEqual([{ id: expiredId, message: expect.stringMatching(/no message kept: .*no result/) }]);

        const rerun = await waitFor('the Celery worker to run the kept one again', () => executions(probe.PROBE_LOG!).filter((e) => e.id === keptId)[1], 60_000, 200);
        expect(rerun).toMatchObject({ task: 'probe.fail', args: [0, 3], priority: broker.wirePriority });
        // Its second failure reaches its record too; the other was never sent again.
        await waitFor('the second failure in the record', async () => {
          const record = await rt.state.tasks.get(keptId!);
          return record?.state === 'failed' && record.updatedAt > retriedAt;
        }, 60_000, 200);
        expect(executions(probe.PROBE_LOG!).filter((e) => e.id === expiredId)).toHaveLength(1);
      } finally {
        await stopWorker(worker);
        await unsubscribe();
      }
    });
  }

  it('a Celery failure on a broker without a result backend is named as such: 422, nothing sent', async () => {
    const queue = uniqueName('retry-nobackend');
    scratchNames.push(queue);
    await resetRuntime();
    writeTestConfig({ brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] }] });
    const rt = runtime();
    await rt.ready;
    const id = uniqueName('evonly');
    const at = new Date().toISOString();
    await rt.state.tasks.save({ id, task: 'probe.fail', broker: 'redis', queue, priority: null as unknown as number, state: 'failed', history: [{ state: 'failed', at, worker: 'w@h' }], error: 'ValueError()', updatedAt: at }, []);
    const res = await retry(id, { priority: 2 });
    expect(res.status).toBe(422);
    expect(res.body.error!.message).toMatch(/no message kept: .*no result backend is configured for broker redis/);
    expect(await redis.exists(queue)).toBe(0);
    const failures = await call<FailureGroups>(failuresRoute.GET, 'GET', `/api/v1/tasks/failures?queue=${queue}`);
    expect(failures.body.groups[0]!.notRetryable).toEqual([{ reason: expect.stringMatching(/no result backend is configured/), ids: [id] }]);
  });
});
