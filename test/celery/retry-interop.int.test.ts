import { describe, expect, it } from 'vitest';
import * as retryRoute from '@/app/api/v1/tasks/[id]/retry/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import { readTaskMeta, taskMetaKey } from '@/lib/celery/result-backend';
import { resetRuntime } from '@/lib/server/runtime';
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
});
