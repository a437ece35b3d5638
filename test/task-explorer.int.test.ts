import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tasksRoute from '@/app/api/v1/tasks/route';
import { authStore } from '@/lib/server/auth';
import { resetRuntime } from '@/lib/server/runtime';
import { createToken } from '@/lib/server/tokens';
import type { TaskRecord, TaskState } from '@/lib/shared/task-record';
import { EXECUTION_STATES, summarizeTask, type TaskListPage, type TaskSummary } from '@/lib/shared/task-summary';
import { TaskIndex } from '@/lib/state/task-index';
import { TaskStore } from '@/lib/state/task-store';
import { call, useConfig } from './api-client';
import { REDIS_URL, deleteKeysLike, rawRedis, uniqueName } from './support';

/**
 * The task explorer's API over records written through the task store's write path (what
 * Celery ingestion uses; the worker's recorder writes the same index: lib/state/task-index.redis.test.ts):
 * newest first, every filter, cursor paging without duplicates or gaps, counts per state,
 * and refusals that name the bad field.
 */

const prefix = `${uniqueName('explorer')}:`;
const TASKS = ['myapp.tasks.generate_report', 'myapp.tasks.send_email', 'myapp.tasks.add'];
const N = 240;
// Ten executions share one last-change time: paging must not lose or repeat any of a tie.
const TIE = { from: 100, to: 109 };
let redis: Redis;
let records: TaskRecord[] = [];
const base = Date.now() - 60_000;

type ErrorBody = { error: { code: string; message: string; details?: { path: (string | number)[] }[] } };

const list = (qs: string, headers?: Record<string, string>) => call<TaskListPage>(tasksRoute.GET, 'GET', `/api/v1/tasks?${qs}`, {}, undefined, headers);

/** Every page of a query, following cursors; fails on a duplicate. */
async function all(qs: string, limit = 37): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const response = await list(`${qs}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.status).toBe(200);
    ids.push(...response.body.tasks.map((t) => t.id));
    cursor = response.body.nextCursor;
    if (!cursor) break;
  }
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

/** Last change first; within one time, the id in reverse (Redis's order within a score, read backwards). */
function newestFirst(rows: TaskSummary[]): string[] {
  return [...rows].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((r) => r.id);
}

const summaries = () => records.map(summarizeTask);
const expected = (keep: (row: TaskSummary, record: TaskRecord) => boolean) => newestFirst(summaries().filter((row, i) => keep(row, records[i]!)));

// Cycles through every explorer state.
const STATES: { state: TaskState | 'revoked'; eta?: boolean }[] = [
  { state: 'queued' },
  { state: 'queued', eta: true },
  { state: 'active' },
  { state: 'succeeded' },
  { state: 'failed' },
  { state: 'retrying' },
  { state: 'dead' },
  { state: 'revoked' },
];

function seed(i: number): TaskRecord {
  const at = new Date(i >= TIE.from && i <= TIE.to ? base - TIE.from * 1000 : base - i * 1000).toISOString();
  const { state, eta } = STATES[i % STATES.length]!;
  const worker = `w${i % 7}`;
  const history: TaskRecord['history'] = [];
  if (state !== 'queued') history.push({ state: 'active', at, worker });
  if (state !== 'queued' && state !== 'active') history.push({ state: state as TaskState, at, worker });
  if (state === 'queued') history.push({ state: 'queued', at, worker });
  return {
    id: randomUUID(),
    task: TASKS[i % TASKS.length]!,
    broker: i % 2 === 0 ? 'redis' : 'rabbitmq',
    queue: `q${i % 4}`,
    // Every eleventh from Celery's events: no priority known.
    priority: i % 11 === 0 ? (null as unknown as number) : i % 10,
    state: state as TaskState,
    history,
    args: [`customer-${i}@example.com`],
    kwargs: { n: i },
    ...(state === 'failed' || state === 'dead' ? { error: `ValueError: order ${i} rejected\nTraceback…` } : {}),
    ...(eta ? { eta: new Date(Date.now() + 3_600_000).toISOString() } : {}),
    enqueuedAt: new Date(Date.parse(at) - 500).toISOString(),
    retries: i % 3,
    updatedAt: at,
  };
}

beforeAll(async () => {
  useConfig({ statePrefix: prefix, brokers: [{ id: 'redis', kind: 'redis', url: REDIS_URL, queues: [], discover: false }] });
  redis = rawRedis();
  const store = new TaskStore(redis, prefix, new TaskIndex(redis, prefix));
  records = Array.from({ length: N }, (_, i) => seed(i));
  await Promise.all(records.map((record) => store.save(record, [])));
});

afterAll(async () => {
  await resetRuntime();
  await deleteKeysLike(redis, prefix);
  await redis.quit();
  delete process.env.TRIAGE_CONFIG;
});

describe('GET /api/v1/tasks', () => {
  it('lists the newest first, with the counts per state', async () => {
    const response = await list('limit=50');
    expect(response.status).toBe(200);
    expect(response.body.tasks.map((t) => t.id)).toEqual(expected(() => true).slice(0, 50));
    expect(response.body.nextCursor).not.toBeNull();
    const counts = Object.fromEntries(EXECUTION_STATES.map((s) => [s, summaries().filter((r) => r.state === s).length]));
    expect(response.body.counts).toEqual(counts);
    // Every state is there, 30 each.
    expect(Object.values(counts)).toEqual(EXECUTION_STATES.map(() => N / STATES.length));
    // A row says what the table shows.
    const first = response.body.tasks[0]!;
    const record = records.find((r) => r.id === first.id)!;
    expect(first).toEqual(summarizeTask(record));
    const done = records[3]!;
    expect((await list(`id=${done.id}`)).body.tasks).toEqual([
      expect.objectContaining({ id: done.id, task: TASKS[0], state: 'succeeded', broker: 'rabbitmq', queue: 'q3', priority: 3, worker: 'w3', waitMs: 500, runtimeMs: 0, retries: 0, error: null }),
    ]);
  });

  it('pages through every execution with cursors, without duplicates or gaps, ties included', async () => {
    expect(await all('', 37)).toEqual(expected(() => true));
    expect(await all('', 1)).toEqual(expected(() => true));
    expect(await all('', 500)).toEqual(expected(() => true));
  });

  it.each<[string, string, (row: TaskSummary, record: TaskRecord) => boolean]>([
    ['several states', 'state=failed,dead', (r) => r.state === 'failed' || r.state === 'dead'],
    ['one state', 'state=scheduled', (r) => r.state === 'scheduled'],
    ['a task name substring, any case', 'task=REPORT', (r) => r.task.includes('report')],
    ['several substrings', 'task=report,email', (r) => r.task.includes('report') || r.task.includes('email')],
    ['queues', 'queue=q1,q3', (r) => r.queue === 'q1' || r.queue === 'q3'],
    ['a broker', 'broker=rabbitmq', (r) => r.broker === 'rabbitmq'],
    ['a worker', 'worker=w3', (r) => r.worker === 'w3'],
    ['priority levels', 'priority=0,1', (r) => r.priority === 0 || r.priority === 1],
    ['a priority band', 'priority=high', (r) => r.priority !== null && r.priority <= 2],
    ['text in args, any case', 'q=CUSTOMER-17@', (_, rec) => JSON.stringify(rec.args).includes('customer-17@')],
    ['text in an error', 'q=order%2012%20rejected', (_, rec) => (rec.error ?? '').includes('order 12 rejected')],
    ['a task and a band, in one state', 'task=report&priority=medium&state=succeeded,failed', (r) => r.task.includes('report') && r.priority !== null && r.priority >= 3 && r.priority <= 5 && ['succeeded', 'failed'].includes(r.state)],
  ])('filters by %s', async (_, qs, keep) => {
    const ids = expected(keep);
    expect(ids.length).toBeGreaterThan(0);
    expect(await all(qs, 7)).toEqual(ids);
  });

  it('filters by id prefix', async () => {
    const id = records[42]!.id;
    const ids = expected((r) => r.id.startsWith(id.slice(0, 4)));
    expect(await all(`id=${id.slice(0, 4)}`, 5)).toEqual(ids);
    expect(await all(`id=${id}`)).toEqual([id]);
  });

  it('filters by time range, and counts within it', async () => {
    const since = new Date(base - 50_500).toISOString();
    const until = new Date(base - 20_000).toISOString();
    const inRange = (r: TaskSummary) => Date.parse(r.updatedAt) >= Date.parse(since) && Date.parse(r.updatedAt) <= Date.parse(until);
    const ids = expected(inRange);
    // 20 s .. 50 s back, one a second, bounds included.
    expect(ids).toHaveLength(31);
    expect(await all(`since=${since}&until=${until}`, 4)).toEqual(ids);
    const response = await list(`since=${since}&until=${until}`);
    const counts = Object.fromEntries(EXECUTION_STATES.map((s) => [s, summaries().filter((r) => inRange(r) && r.state === s).length]));
    expect(response.body.counts).toEqual(counts);
    // A span back from now: everything is younger than an hour.
    expect(await all('since=1h', 100)).toEqual(expected(() => true));
    expect((await list('until=0')).body.tasks).toEqual([]);
  });

  it('moves an execution that changes to the front, and its count to its new state', async () => {
    const store = new TaskStore(redis, prefix, new TaskIndex(redis, prefix));
    const before = (await list('limit=1')).body;
    const moved = records.find((r) => r.state === 'active')!;
    const now = new Date().toISOString();
    const changed: TaskRecord = { ...moved, state: 'succeeded', history: [...moved.history, { state: 'succeeded', at: now, worker: 'w9' }], updatedAt: now };
    await store.save(changed, []);
    records = records.map((r) => (r.id === moved.id ? changed : r));
    const after = (await list('limit=1')).body;
    expect(after.tasks[0]).toMatchObject({ id: moved.id, state: 'succeeded', worker: 'w9' });
    expect(after.counts.active).toBe(before.counts.active - 1);
    expect(after.counts.succeeded).toBe(before.counts.succeeded + 1);
    expect((await all('state=active', 50)).includes(moved.id)).toBe(false);
    expect(await all('', 50)).toEqual(expected(() => true));
  });

  it('is open to viewers', async () => {
    const { token } = await createToken(await authStore(), { name: uniqueName('viewer'), role: 'viewer' });
    const response = await list('state=failed&limit=2', { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(response.body.tasks).toHaveLength(2);
    expect((await list('', { authorization: '' })).status).toBe(401);
  });

  it.each<[string, string, string]>([
    ['state=failed,exploded', 'state', 'unknown state "exploded"'],
    ['priority=urgent', 'priority', '"urgent"'],
    ['priority=12', 'priority', '"12"'],
    ['since=yesterday', 'since', 'is not a time'],
    ['since=1h&until=2h', 'since', 'must not be after until'],
    ['limit=0', 'limit', 'limit'],
    ['limit=lots', 'limit', 'limit'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor', 'not a cursor'],
    ['q=' + 'x'.repeat(201), 'q', 'at most 200'],
  ])('refuses %s with a 400 naming the field', async (qs, field, words) => {
    const response = await call<ErrorBody>(tasksRoute.GET, 'GET', `/api/v1/tasks?${qs}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID');
    expect(response.body.error.message).toContain(field);
    expect(response.body.error.message).toContain(words);
    expect(response.body.error.details?.[0]?.path).toEqual([field]);
  });

  it('refuses an unknown parameter, naming it', async () => {
    const response = await call<ErrorBody>(tasksRoute.GET, 'GET', '/api/v1/tasks?colour=red');
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('colour');
  });
});
