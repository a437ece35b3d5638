import { afterAll, describe, expect, it } from 'vitest';
import { describeFailure, readTaskMeta, rebuildFromMeta, taskMetaKey } from '@/lib/celery/result-backend';
import { REDIS_URL, scratchRedis, uniqueName, waitFor } from '../support';
import { celery, produce, startWorker, stopWorker, type ProbeEnv } from './celery';
import { logFile } from './interop-harness';

const scratch = scratchRedis();
const redis = scratch.client;
const cleanup = scratch.names;

afterAll(async () => {
  await scratch.done();
});

describe.skipIf(!celery.ok)(`Celery's Redis result backend (${celery.reason})`, () => {
  it('reads real SUCCESS and FAILURE results, the traceback, and the request result_extended stores', async () => {
    const queue = uniqueName('res');
    cleanup.push(queue);
    const probe: ProbeEnv = { PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue, PROBE_LOG: logFile() };
    const env: ProbeEnv = { ...probe, PROBE_RESULT_BACKEND: REDIS_URL };
    const [okId] = produce(env, [3], 'probe.work');
    const [failId] = produce(env, [3], 'probe.fail');
    cleanup.push(taskMetaKey(okId!), taskMetaKey(failId!));
    const worker = startWorker(env);
    try {
      const failed = await waitFor('the failure to be stored', () => readTaskMeta(redis, failId!), 60_000, 200);
      const succeeded = await waitFor('the success to be stored', () => readTaskMeta(redis, okId!), 60_000, 200);
      expect(succeeded.status).toBe('SUCCESS');
      expect(succeeded.result).toEqual({ ok: true });
      expect(failed.status).toBe('FAILURE');
      expect(describeFailure(failed)).toMatch(/^ValueError: probe failure/);
      expect(failed.traceback).toMatch(/Traceback[\s\S]*ValueError/);
      expect(rebuildFromMeta(failed)).toEqual({ task: 'probe.fail', args: [0, 3], kwargs: { label: 'm0' }, queue, retries: 0 });
    } finally {
      await stopWorker(worker);
    }
    expect(await readTaskMeta(redis, uniqueName('none'))).toBeNull();
  });
});
