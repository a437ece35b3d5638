import { afterAll, describe, expect, it } from 'vitest';
import { resetRuntime } from '@/lib/server/runtime';
import { writeTestConfig } from '../api-client';
import { AMQP_URL, MANAGEMENT_URL, uniqueName, waitFor } from '../support';
import { celery, produce, type ProbeEnv } from './celery';
import { apiBrowse, apiEnqueue, apiQueue, deleteRabbitQueues, logFile, runCeleryWorker } from './interop-harness';

const SENT: (number | null)[] = [5, 0, 9, 3, null, 7, 1, 8, 2, 6, 4];
const created: string[] = [];

afterAll(async () => {
  await resetRuntime();
  await deleteRabbitQueues(created);
  delete process.env.TRIAGE_CONFIG;
});

function configure(queue: string): void {
  created.push(queue);
  writeTestConfig({
    brokers: [{ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL, queues: [{ name: queue, maxPriority: 10 }] }],
  });
}

describe.skipIf(!celery.ok)(`Triage with real Celery on RabbitMQ (${celery.reason})`, () => {
  it("Celery-produced tasks: Triage's counts and order match what a Celery worker runs", async () => {
    const queue = uniqueName('rcel');
    await resetRuntime();
    configure(queue);
    const probe: ProbeEnv = { PROBE_BROKER_URL: AMQP_URL, PROBE_QUEUE: queue, PROBE_MAX_PRIORITY: '10', PROBE_LOG: logFile() };
    const ids = produce(probe, SENT);

    // Triage level = 9 - Celery's priority; a task sent without one counts as 9 (delivered last).
    const expectedCounts: Record<string, number> = Object.fromEntries([...Array(10).keys()].map((p) => [String(p), 0]));
    for (const p of SENT) expectedCounts[String(p === null ? 9 : 9 - p)]! += 1;
    // Management statistics refresh every few seconds.
    // Management statistics refresh every few seconds, and under load report the total
    // before the per-priority split: wait for the split, then check it exactly.
    const listed = await waitFor(
      'management stats to show every task at its priority',
      async () => {
        const q = await apiQueue('rabbitmq', queue);
        return q && q.depth === SENT.length && JSON.stringify(q.byPriority) === JSON.stringify(expectedCounts) ? q : null;
      },
      90_000,
    );
    expect(listed.byPriority).toEqual(expectedCounts);

    const page = await apiBrowse('rabbitmq', queue);
    expect(page.requeued).toBe(true);
    const expected = ids
      .map((id, i) => ({ id, i, level: SENT[i] === null ? 9 : 9 - SENT[i]! }))
      .sort((a, b) => a.level - b.level || a.i - b.i)
      .map((x) => x.id);
    expect(page.messages.map((m) => m.id)).toEqual(expected);

    const ran = await runCeleryWorker(probe, SENT.length);
    expect(ran.map((e) => e.id)).toEqual(expected);
  });

  it('tasks enqueued through the API run on a real Celery worker in Triage priority order, args intact', async () => {
    const queue = uniqueName('rapi');
    await resetRuntime();
    configure(queue);
    const priorities = [9, 0, 5, 3, 7, 1, 8, 2, 6, 4, 0, 9];
    const ids: string[] = [];
    for (const [i, priority] of priorities.entries()) {
      ids.push(...(await apiEnqueue('rabbitmq', queue, { task: 'myapp.tasks.send_otp', args: [i], kwargs: { phone: `+1555${i}` }, priority })));
    }
    const probe: ProbeEnv = { PROBE_BROKER_URL: AMQP_URL, PROBE_QUEUE: queue, PROBE_MAX_PRIORITY: '10', PROBE_LOG: logFile() };
    const ran = await runCeleryWorker(probe, priorities.length);
    const expected = ids.map((id, i) => ({ id, i, p: priorities[i]! })).sort((a, b) => a.p - b.p || a.i - b.i);
    expect(ran.map((e) => e.id)).toEqual(expected.map((x) => x.id));
    for (const e of ran) {
      const i = ids.indexOf(e.id);
      expect(e.args).toEqual([i]);
      expect(e.kwargs).toEqual({ phone: `+1555${i}` });
      expect(e.priority).toBe(9 - priorities[i]!);
    }
  });
});
