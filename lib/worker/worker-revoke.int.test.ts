import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as revokeOne from '@/app/api/v1/tasks/[id]/revoke/route';
import * as revokeMany from '@/app/api/v1/tasks/revoke/route';
import * as restore from '@/app/api/v1/archives/[archiveId]/restore/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import type { RevokeResult } from '@/lib/shared/revoke';
import { call } from '@/test/api-client';
import { TARGETS, type ContractTarget } from '@/test/contract/targets';
import { waitFor } from '@/test/support';
import { workerApi } from '@/test/worker-api';
import { exited } from './test-harness';

/**
 * Revoke and terminate with Triage's own worker (issue 19 §3), on every broker kind, through
 * the API routes and the worker's real entry point: a revoked waiting task leaves its queue
 * into a restorable archive and never runs; a running `triage.tasks.sleep` is terminated
 * (recorded `revoked` within 5 s) while the worker process lives on and runs the next task;
 * a revoke made while no worker runs holds for the next worker.
 */
describe.each(TARGETS)('revoke with Triage workers on $kind', (target: ContractTarget) => {
  const { setup, task } = workerApi(target);

  const revoke = (id: string, body: object = {}) => call<RevokeResult>(revokeOne.POST, 'POST', `/api/v1/tasks/${id}/revoke`, { id }, body);

  it('a revoked waiting task leaves its queue for an archive, never runs, and runs once the archive is restored', async () => {
    const { h, q } = await setup('rv-wait');
    const broker = await h.broker();
    const [victim, other] = await broker.enqueue(q, [
      { priority: 0, spec: { task: 'triage.tasks.noop' } },
      { priority: 5, spec: { task: 'triage.tasks.noop' } },
    ]);

    const preview = await call<RevokeResult>(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, { ids: [victim], dryRun: true });
    expect(preview.body).toMatchObject({ matched: 1, revoked: 0, terminated: 0, dryRun: true });
    await waitFor('the queue to hold both', async () => (await broker.getQueue(q))?.depth === 2);

    const res = await revoke(victim!);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 1, revoked: 1, terminated: 0, archives: [{ broker: h.brokerId, queue: q, count: 1 }] });
    await waitFor('the queue to hold the other one only', async () => (await broker.getQueue(q))?.depth === 1);
    expect(await task(victim!)).toMatchObject({ state: 'revoked', queue: q });

    await h.spawnWorker({ queues: [q], concurrency: 1 });
    await h.succeeded(q, 1);
    expect((await h.taskEvents('task.started', q)).map((e) => e.taskId)).toEqual([other]);

    // Undo: the archive goes back to the queue and the task is no longer revoked.
    const archiveId = res.body.archives[0]!.archiveId;
    const restored = await call<{ restored: number }>(restore.POST, 'POST', `/api/v1/archives/${archiveId}/restore`, { archiveId });
    expect(restored.body).toMatchObject({ restored: 1 });
    await h.succeeded(q, 2);
    // The worker's first write merges into the revoked record in a second round trip.
    await waitFor('the restored task to be recorded succeeded', async () => (await task(victim!))?.state === 'succeeded');
    expect((await task(victim!))?.history.map((e) => e.state)).toEqual(['revoked', 'active', 'succeeded']);
  });

  it('terminate stops a running sleep within 5 s; the worker lives on and runs the next task', async () => {
    const { h, q } = await setup('rv-term');
    const broker = await h.broker();
    const worker = await h.spawnWorker({ queues: [q], concurrency: 1 });
    const [long] = await broker.enqueue(q, [{ priority: 5, spec: { task: 'triage.tasks.sleep', args: [60_000] } }]);
    await waitFor('the long task to start', async () => (await task(long!))?.state === 'active');

    const asked = Date.now();
    const res = await revoke(long!, { terminate: true });
    expect(res.body).toMatchObject({ matched: 1, revoked: 1, terminated: 1, archives: [] });
    await waitFor('the task to be recorded revoked', async () => (await task(long!))?.state === 'revoked', 5000, 50);
    expect(Date.now() - asked).toBeLessThan(5000);
    const record = await task(long!);
    expect(record?.history.map((e) => e.state)).toEqual(['active', 'revoked']);

    const [next] = await broker.enqueue(q, [{ priority: 5, spec: { task: 'triage.tasks.noop' } }]);
    await waitFor('the next task to succeed', async () => (await task(next!))?.state === 'succeeded');
    expect(worker.exitCode).toBeNull();
    // Acked, not redelivered: nothing is left in the queue or in flight.
    await waitFor('the queue to be empty', async () => (await broker.getQueue(q))?.depth === 0);
    expect([0, null]).toContain(await h.inFlight());
  });

  it('a revoke made while no worker runs holds for the next worker', async () => {
    const { h, q } = await setup('rv-restart');
    const first = await h.spawnWorker({ queues: [q], concurrency: 1 });
    first.kill('SIGTERM');
    await exited(first);

    const id = randomUUID();
    const res = await revoke(id);
    // Nothing is known of it yet; the revoke is kept all the same (Celery's semantics).
    expect(res.body).toMatchObject({ matched: 0, revoked: 1, terminated: 0, archives: [] });

    await h.spawnWorker({ queues: [q], concurrency: 1 });
    const broker = await h.broker();
    const [, after] = await broker.enqueue(q, [
      { priority: 0, spec: { id, task: 'triage.tasks.noop' } },
      { priority: 9, spec: { task: 'triage.tasks.noop' } },
    ]);
    await waitFor('the task after it to succeed', async () => (await task(after!))?.state === 'succeeded');
    expect(await task(id)).toMatchObject({ state: 'revoked' });
    expect((await h.taskEvents('task.started', q)).map((e) => e.taskId)).toEqual([after]);
    await waitFor('the queue to be empty', async () => (await broker.getQueue(q))?.depth === 0);
  });

  it("bulk by match: a dry run counts a queue's matching waiting tasks, the real one archives and revokes them, audited", async () => {
    const { h, q } = await setup('rv-match');
    const broker = await h.broker();
    const [keep, ...victims] = await broker.enqueue(q, [
      { priority: 5, spec: { task: 'triage.tasks.sleep', args: [1] } },
      { priority: 5, spec: { task: 'triage.tasks.noop' } },
      { priority: 2, spec: { task: 'triage.tasks.noop' } },
    ]);
    const match = { broker: h.brokerId, queue: q, task: 'noop' };
    const preview = await call<RevokeResult>(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, { match, dryRun: true });
    expect(preview.body).toMatchObject({ matched: 2, revoked: 0, terminated: 0, dryRun: true });
    const res = await call<RevokeResult>(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, { match });
    expect(res.body).toMatchObject({ matched: 2, revoked: 2, terminated: 0, archives: [{ broker: h.brokerId, queue: q, count: 2 }] });
    for (const id of victims) expect(await task(id)).toMatchObject({ state: 'revoked' });

    await h.spawnWorker({ queues: [q], concurrency: 1 });
    await h.succeeded(q, 1);
    expect((await h.taskEvents('task.started', q)).map((e) => e.taskId)).toEqual([keep]);
    const audit = await call<{ entries: { action: string; target: object; result: object }[] }>(auditRoute.GET, 'GET', '/api/v1/audit?action=revoke');
    expect(audit.body.entries).toMatchObject([{ action: 'revoke', target: { broker: h.brokerId, queue: q }, result: { matched: 2, revoked: 2 } }]);
  });

  it('answers 400 naming the field for bad input', async () => {
    await setup('rv-bad');
    const signalAlone = await call<{ error: { details: unknown } }>(revokeOne.POST, 'POST', '/api/v1/tasks/x/revoke', { id: 'x' }, { signal: 'SIGKILL' });
    expect(signalAlone.status).toBe(400);
    expect(JSON.stringify(signalAlone.body)).toContain('signal');
    const badSignal = await call(revokeOne.POST, 'POST', '/api/v1/tasks/x/revoke', { id: 'x' }, { terminate: true, signal: 'SIGHUP' });
    expect(badSignal.status).toBe(400);
    expect(JSON.stringify(badSignal.body)).toContain('signal');
    const neither = await call(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, { terminate: true });
    expect(neither.status).toBe(400);
    expect(JSON.stringify(neither.body)).toContain('ids');
    const both = await call(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, { ids: ['a'], match: { broker: 'redis', queue: 'q' } });
    expect(both.status).toBe(400);
  });
});
