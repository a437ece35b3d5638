import { describe, expect, it } from 'vitest';
import * as revokeOne from '@/app/api/v1/tasks/[id]/revoke/route';
import * as revokeMany from '@/app/api/v1/tasks/revoke/route';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as tokensRoute from '@/app/api/v1/tokens/route';
import { TaskIndex } from '@/lib/state/task-index';
import { TaskStore } from '@/lib/state/task-store';
import type { RevokeResult } from '@/lib/shared/revoke';
import { call } from '@/test/api-client';
import { TARGETS, type ContractTarget } from '@/test/contract/targets';
import { waitFor } from '@/test/support';
import { workerApi } from '@/test/worker-api';

/**
 * Revoke by the task explorer's filter, and two operators terminating one running task at
 * once, against Triage's worker on every broker kind, through the API routes.
 */
describe.each(TARGETS)('bulk revoke by filter on $kind', (target: ContractTarget) => {
  const { setup, task } = workerApi(target);

  const bulk = (body: object, headers: Record<string, string> = {}) => call<RevokeResult>(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, body, headers);

  async function operatorToken(name: string): Promise<Record<string, string>> {
    const res = await call<{ token: string }>(tokensRoute.POST, 'POST', '/api/v1/tokens', {}, { name, role: 'operator' });
    expect(res.status).toBe(201);
    return { authorization: `Bearer ${res.body.token}` };
  }

  it("terminates every running task matching the explorer's filter, counted first by a dry run; final ones are left alone", async () => {
    const { h, q } = await setup('rvf-run');
    const broker = await h.broker();
    const worker = await h.spawnWorker({ queues: [q], concurrency: 3 });
    const [done] = await broker.enqueue(q, [{ priority: 5, spec: { task: 'triage.tasks.noop' } }]);
    await waitFor('the noop to succeed', async () => (await task(done!))?.state === 'succeeded');
    const sleeps = await broker.enqueue(q, [
      { priority: 5, spec: { task: 'triage.tasks.sleep', args: [60_000] } },
      { priority: 5, spec: { task: 'triage.tasks.sleep', args: [60_000] } },
    ]);
    for (const id of sleeps) await waitFor('the sleep to start', async () => (await task(id))?.state === 'active');

    const filter = { queue: q, broker: h.brokerId };
    const preview = await bulk({ filter, terminate: true, dryRun: true });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ matched: 2, revoked: 0, terminated: 0, archives: [], dryRun: true });
    expect((await task(sleeps[0]!))?.state).toBe('active');

    // A filter that selects only final tasks finds nothing to revoke.
    expect((await bulk({ filter: { ...filter, state: 'succeeded' }, dryRun: true })).body).toMatchObject({ matched: 0 });

    const res = await bulk({ filter, terminate: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 2, revoked: 2, terminated: 2, archives: [] });
    expect(res.body.capped).toBeUndefined();
    for (const id of sleeps) await waitFor('the sleep to be recorded revoked', async () => (await task(id))?.state === 'revoked', 5000, 50);
    expect((await task(done!))?.state).toBe('succeeded');
    expect(worker.exitCode).toBeNull();

    const audit = await call<{ entries: { action: string; params: Record<string, unknown>; result: object }[] }>(auditRoute.GET, 'GET', '/api/v1/audit?action=revoke');
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({ action: 'revoke', params: { filter: { queues: [q], brokers: [h.brokerId] }, terminate: true }, result: { matched: 2, revoked: 2, terminated: 2 } });
  });

  it('two operators terminating one running task at once: one terminates it, the other is told it was already revoked; both audited', async () => {
    const { h, q } = await setup('rvf-race');
    const broker = await h.broker();
    const worker = await h.spawnWorker({ queues: [q], concurrency: 1 });
    const [long] = await broker.enqueue(q, [{ priority: 5, spec: { task: 'triage.tasks.sleep', args: [60_000] } }]);
    await waitFor('the long task to start', async () => (await task(long!))?.state === 'active');
    const [alice, bob] = await Promise.all([operatorToken(`alice-${h.id}`), operatorToken(`bob-${h.id}`)]);

    const answers = await Promise.all([alice, bob].map((who) => call<RevokeResult>(revokeOne.POST, 'POST', `/api/v1/tasks/${long}/revoke`, { id: long! }, { terminate: true }, who)));
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const bodies = answers.map((a) => a.body);
    expect(bodies.map((b) => b.terminated).sort()).toEqual([0, 1]);
    expect(bodies.map((b) => b.revoked).sort()).toEqual([0, 1]);
    const second = bodies.find((b) => b.terminated === 0)!;
    expect(second).toMatchObject({ matched: 1, revoked: 0, terminated: 0, alreadyRevoked: 1 });

    await waitFor('the task to be recorded revoked', async () => (await task(long!))?.state === 'revoked', 5000, 50);
    expect((await task(long!))?.history.map((e) => e.state)).toEqual(['active', 'revoked']);
    const [next] = await broker.enqueue(q, [{ priority: 5, spec: { task: 'triage.tasks.noop' } }]);
    await waitFor('the next task to succeed', async () => (await task(next!))?.state === 'succeeded');
    expect(worker.exitCode).toBeNull();

    const audit = await call<{ entries: { actor: string; result: { terminated: number } }[] }>(auditRoute.GET, 'GET', '/api/v1/audit?action=revoke');
    expect(audit.body.entries.map((e) => e.actor).sort()).toEqual([`alice-${h.id}`, `bob-${h.id}`].sort());
    expect(audit.body.entries.map((e) => e.result.terminated).sort()).toEqual([0, 1]);
  });

  it('looks for a revoked task first in the queue its record names: no other queue is read', async () => {
    const { h, q, others } = await setup('rvf-loc', { others: 1 });
    const decoy = others[0]!;
    const broker = await h.broker();
    const raw = await h.raw();
    await raw.declare(decoy);
    const [decoyId] = await raw.fill(decoy, [5]);
    const [victim] = await broker.enqueue(q, [{ priority: 5, spec: { task: 'triage.tasks.noop' } }]);
    const at = new Date().toISOString();
    await new TaskStore(h.state, h.statePrefix, new TaskIndex(h.state, h.statePrefix)).save({ id: victim!, task: 'triage.tasks.noop', broker: h.brokerId, queue: q, priority: 5, state: 'queued', history: [{ state: 'queued', at }], updatedAt: at }, []);

    const res = await call<RevokeResult>(revokeOne.POST, 'POST', `/api/v1/tasks/${victim}/revoke`, { id: victim! }, {});
    expect(res.body).toMatchObject({ matched: 1, revoked: 1, archives: [{ broker: h.brokerId, queue: q, count: 1 }] });
    // RabbitMQ marks what a read fetched and put back: the decoy queue was not read at all.
    expect((await raw.read(decoy)).map((m) => ({ id: m.id, redelivered: m.redelivered }))).toEqual([{ id: decoyId, redelivered: false }]);
  });

  it('answers 400 naming the problem for a bad or empty filter, and changes nothing', async () => {
    await setup('rvf-bad');
    const paths = async (body: object) => {
      const res = await call<{ error: { message: string } }>(revokeMany.POST, 'POST', '/api/v1/tasks/revoke', {}, body);
      expect(res.status).toBe(400);
      return JSON.stringify(res.body);
    };
    expect(await paths({ filter: {} })).toContain('filter is empty');
    expect(await paths({ filter: { state: 'sleeping' } })).toContain('unknown state');
    expect(await paths({ filter: { priority: 'urgent' } })).toContain('priority');
    expect(await paths({ filter: { since: 'yesterday' } })).toContain('since');
    expect(await paths({ filter: { queue: 'x' }, ids: ['a'] })).toContain('ids');
    expect(await paths({ filter: { queue: 'x', limit: 5 } })).toContain('limit');
  });
});
