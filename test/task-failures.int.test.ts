import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as auditRoute from '@/app/api/v1/audit/route';
import * as failuresRoute from '@/app/api/v1/tasks/failures/route';
import * as retryRoute from '@/app/api/v1/tasks/retry/route';
import { authStore } from '@/lib/server/auth';
import { resetRuntime } from '@/lib/server/runtime';
import { createToken } from '@/lib/server/tokens';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import type { FailureGroups, RetryManyResult } from '@/lib/shared/task-failures';
import type { TaskRecord } from '@/lib/shared/task-record';
import type { AuditEntry } from '@/lib/state/audit';
import { TaskIndex } from '@/lib/state/task-index';
import { TaskStore } from '@/lib/state/task-store';
import { call, useConfig } from './api-client';
import { readRedis, stepKeyOf } from './control/helpers';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';

/**
 * Failures at a glance: failed and dead executions grouped by task and error over a time
 * range, and the bulk retry of a selection, each task audited as its own retry.
 */

const rq = uniqueName('fail-r');
const prefix = `${uniqueName('fail-state')}:`;
const FLAKY = 'myapp.tasks.flaky';
const UPSTREAM = 'TaskFailure: upstream unavailable (attempt 1)';
let redis: Redis;
const now = Date.now();

function failure(id: string, agoMs: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  const at = new Date(now - agoMs).toISOString();
  return {
    id,
    task: FLAKY,
    broker: 'redis',
    queue: rq,
    priority: 6,
    state: 'dead',
    history: [{ state: 'active', at, worker: 'w1' }, { state: 'dead', at, worker: 'w1', error: UPSTREAM }],
    error: `${UPSTREAM}\nTraceback (most recent call last): …`,
    updatedAt: at,
    ...extra,
  };
}

const RECORDS: TaskRecord[] = [
  failure(`${rq}-d1`, 50_000),
  failure(`${rq}-d2`, 30_000),
  failure(`${rq}-d3`, 10_000),
  failure(`${rq}-e1`, 20_000, { error: 'KeyError: customer' }),
  // Celery's: failed, priority unknown.
  failure(`${rq}-c1`, 5_000, { task: 'proj.tasks.bill', state: 'failed', priority: null as unknown as number, error: 'ValueError: no card' }),
  failure(`${rq}-ok`, 1_000, { state: 'succeeded', error: undefined }),
  // Outside the last hour.
  failure(`${rq}-old`, 2 * 3_600_000),
];

const failures = (qs: string) => call<FailureGroups>(failuresRoute.GET, 'GET', `/api/v1/tasks/failures?${qs}`);
const retry = (body: unknown, headers?: Record<string, string>) => call<RetryManyResult>(retryRoute.POST, 'POST', '/api/v1/tasks/retry', {}, body, headers);

beforeAll(async () => {
  useConfig({ statePrefix: prefix, brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [{ name: rq }, { name: `${rq}.dead` }], discover: false }] });
  redis = rawRedis();
  const store = new TaskStore(redis, prefix, new TaskIndex(redis, prefix));
  for (const record of RECORDS) await store.save(record, []);
  // The dead letters Triage's worker left for d1..d3 (e1's is gone: retried elsewhere, say).
  for (const id of [`${rq}-d1`, `${rq}-d2`, `${rq}-d3`]) {
    const message = buildTaskMessage(
      { id, task: FLAKY, retries: 3, extraHeaders: { triage_dead_reason: 'max_retries', triage_error: UPSTREAM, triage_original_queue: rq, triage_original_priority: 6, triage_retries: 3 } },
      6,
    );
    await redis.lpush(`${rq}.dead`, toRedisPayload(message, { routingKey: `${rq}.dead` }));
  }
  await redis.sadd(`_kombu.binding.${rq}.dead`, `${rq}.dead\x06\x16\x06\x16${rq}.dead`);
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix, rq);
  await redis.del(...[0, 3, 6, 9].map((s) => stepKeyOf(rq, s)));
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('GET /api/v1/tasks/failures', () => {
  it('groups the failed and dead executions of the range by task and error, largest first', async () => {
    const response = await failures('since=1h');
    expect(response.status).toBe(200);
    expect(response.body.complete).toBe(true);
    expect(response.body.groups).toEqual([
      {
        task: FLAKY,
        error: UPSTREAM,
        count: 3,
        failed: 0,
        dead: 3,
        firstSeen: new Date(now - 50_000).toISOString(),
        lastSeen: new Date(now - 10_000).toISOString(),
        ids: [`${rq}-d3`, `${rq}-d2`, `${rq}-d1`],
      },
      // Equal counts: the most recent first.
      {
        task: 'proj.tasks.bill',
        error: 'ValueError: no card',
        count: 1,
        failed: 1,
        dead: 0,
        firstSeen: new Date(now - 5_000).toISOString(),
        lastSeen: new Date(now - 5_000).toISOString(),
        ids: [`${rq}-c1`],
        // A Celery failure on a broker without a result backend: nothing to send again.
        notRetryable: [{ reason: expect.stringMatching(/^no message kept: .*no result backend is configured for broker redis/), ids: [`${rq}-c1`] }],
      },
      { task: FLAKY, error: 'KeyError: customer', count: 1, failed: 0, dead: 1, firstSeen: new Date(now - 20_000).toISOString(), lastSeen: new Date(now - 20_000).toISOString(), ids: [`${rq}-e1`] },
    ]);
  });

  it("takes the explorer's filters", async () => {
    expect((await failures('since=1h&task=bill')).body.groups.map((g) => g.task)).toEqual(['proj.tasks.bill']);
    expect((await failures('since=1h&state=failed')).body.groups.map((g) => g.error)).toEqual(['ValueError: no card']);
    const all = (await failures('since=3h')).body.groups;
    expect(all[0]).toMatchObject({ task: FLAKY, error: UPSTREAM, count: 4 });
    expect((await failures('state=bogus')).status).toBe(400);
  });
});

describe('POST /api/v1/tasks/retry', () => {
  it('retries the selected tasks at the chosen priority, reports those it could not, and audits each', async () => {
    const response = await retry({ ids: [`${rq}-d1`, `${rq}-d2`, `${rq}-d3`, `${rq}-e1`], priority: 2 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ matched: 4, retried: 3, failed: [{ id: `${rq}-e1`, message: expect.stringContaining('not in any dead-letter queue') }] });
    expect((await readRedis(redis, rq)).map((e) => [e.id, e.priority]).sort()).toEqual([
      [`${rq}-d1`, 2],
      [`${rq}-d2`, 2],
      [`${rq}-d3`, 2],
    ]);
    expect(await redis.llen(`${rq}.dead`)).toBe(0);
    const audit = await call<{ entries: AuditEntry[] }>(auditRoute.GET, 'GET', '/api/v1/audit?action=retry&limit=10');
    expect(audit.body.entries.map((e) => e.target.task).sort()).toEqual([`${rq}-d1`, `${rq}-d2`, `${rq}-d3`]);
    expect(audit.body.entries.every((e) => (e.params as { priority?: number }).priority === 2)).toBe(true);
  });

  it('needs the operator role and a valid body', async () => {
    const { token } = await createToken(await authStore(), { name: uniqueName('viewer'), role: 'viewer' });
    expect((await retry({ ids: [`${rq}-d1`] }, { authorization: `Bearer ${token}` })).status).toBe(403);
    const empty = await call<{ error: { message: string } }>(retryRoute.POST, 'POST', '/api/v1/tasks/retry', {}, { ids: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('ids');
    expect((await retry({ ids: ['x'], priority: 12 })).status).toBe(400);
  });
});
