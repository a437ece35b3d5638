import { afterAll, describe, expect, it } from 'vitest';
import { CeleryEventIngestor } from '@/lib/celery/ingest';
import { RedisBrokerConfigSchema } from '@/lib/brokers/redis/config';
import { TaskStore } from '@/lib/state/task-store';
import { WorkerStore } from '@/lib/state/worker-store';
import { REDIS_URL, scratchRedis, uniqueName, waitFor } from '../support';
import { createBroker, subscribeCeleryEvents } from '@/lib/brokers/registry';
import { resumeCeleryConsumers } from '@/lib/control/celery-consumers';
import { resendPauses, scheduleResend } from '@/lib/control/pause-resend';
import { PauseStore } from '@/lib/state/pause-store';
import { activeQueues, celery, executions, produce, startWorker, stopWorker, type ProbeEnv } from './celery';
import { logFile } from './interop-harness';

const scratch = scratchRedis();
const redis = scratch.client;
const cleanup = scratch.names;

afterAll(async () => {
  await scratch.done();
});

describe.skipIf(!celery.ok)(`Celery events folded into Triage's state (${celery.reason})`, () => {
  it('a real Celery worker appears with live heartbeats, and its tasks get full timelines', async () => {
    const queue = uniqueName('ev');
    const prefix = `${uniqueName('evstate')}:`;
    cleanup.push(queue, prefix);
    const config = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL });
    const tasks = new TaskStore(redis, prefix);
    const workers = new WorkerStore(redis, prefix);
    const ingestor = new CeleryEventIngestor('redis', tasks, workers);
    const stop = await subscribeCeleryEvents(config, (events) => void ingestor.push(events));
    const hostname = `${queue}@triage-test`;
    const probe: ProbeEnv = { PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue, PROBE_LOG: logFile() };
    const worker = startWorker(probe, { events: true, hostname });
    try {
      const seen = await waitFor('the Celery worker to be listed', async () => (await workers.list()).find((w) => w.hostname === hostname), 60_000, 200);
      expect(seen.id).toBe(`celery:redis:${hostname}`);
      expect(seen.stale).toBe(false);
      // Heartbeats every 2 s move lastHeartbeatAt forward.
      await waitFor('a later heartbeat', async () => {
        const now = (await workers.list()).find((w) => w.hostname === hostname);
        return now && now.lastHeartbeatAt > seen.lastHeartbeatAt;
      }, 30_000, 200);

      const [okId, failId] = [...produce(probe, [3], 'probe.work'), ...produce(probe, [3], 'probe.fail')];
      await waitFor('both tasks to run', () => executions(probe.PROBE_LOG!).length >= 1, 60_000, 200);
      const ok = await waitFor('the success timeline', async () => {
        const t = await tasks.get(okId!);
        return t?.state === 'succeeded' ? t : null;
      }, 60_000, 200);
      expect(ok.task).toBe('probe.work');
      expect(ok.queue).toBe(queue);
      expect(ok.history.map((h) => h.state)).toEqual(['queued', 'queued', 'active', 'succeeded']);
      expect(ok.history.at(-1)!.worker).toBe(hostname);
      const failed = await waitFor('the failure timeline', async () => {
        const t = await tasks.get(failId!);
        return t?.state === 'failed' ? t : null;
      }, 60_000, 200);
      expect(failed.error).toMatch(/ValueError/);
      expect(failed.traceback).toMatch(/Traceback/);
      // The queues a host serves come from its task events and reach its record with the next heartbeat.
      await waitFor('the worker listed with its queue', async () => (await workers.list()).find((w) => w.hostname === hostname)?.queues.includes(queue), 30_000, 200);
    } finally {
      await stopWorker(worker);
      await stop();
    }
    // A warm shutdown sends worker-offline: the worker leaves the list.
    await waitFor('the worker to go offline', async () => !(await workers.list()).some((w) => w.hostname === hostname), 30_000, 200);
  });

  it('a Celery worker that comes online while its queue is paused gets the pause again, and resumes on add_consumer', async () => {
    const queue = uniqueName('evp');
    const prefix = `${uniqueName('evpstate')}:`;
    cleanup.push(queue, prefix);
    const config = RedisBrokerConfigSchema.parse({ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: queue }] });
    const broker = createBroker(config);
    await broker.connect();
    const pauses = new PauseStore(redis, prefix);
    await pauses.pause('redis', queue, 'test');
    const ingestor = new CeleryEventIngestor('redis', new TaskStore(redis, prefix), new WorkerStore(redis, prefix), undefined, () =>
      scheduleResend(() => resendPauses(broker, pauses), () => {}),
    );
    const stop = await subscribeCeleryEvents(config, (events) => void ingestor.push(events));
    const hostname = `${queue}@triage-test`;
    const probe: ProbeEnv = { PROBE_BROKER_URL: REDIS_URL, PROBE_QUEUE: queue, PROBE_LOG: logFile() };
    const worker = startWorker(probe, { events: true, hostname });
    try {
      // Started with -Q <queue>, the worker stops consuming it once Triage re-sends the pause.
      await waitFor('the restarted worker to drop the paused queue', () => {
        const queues = activeQueues(probe, hostname);
        return queues !== null && !queues.includes(queue);
      }, 60_000, 500);
      const [id] = produce(probe, [0]);
      expect(await redis.llen(queue)).toBe(1);
      // The re-sent pause remembered the worker it found consuming the queue: the resume goes there.
      const { celeryConsumers } = await pauses.resume('redis', queue);
      expect(celeryConsumers).toContainEqual({ queue, hostname });
      expect(await resumeCeleryConsumers(broker.control, celeryConsumers)).toEqual([hostname]);
      const ran = await waitFor('the task to run after resume', () => executions(probe.PROBE_LOG!).find((e) => e.id === id), 60_000, 200);
      expect(ran.id).toBe(id);
    } finally {
      await stopWorker(worker);
      await stop();
      await broker.close();
    }
  });
});
