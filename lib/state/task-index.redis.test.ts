import { afterAll, describe, expect, it } from 'vitest';
import { CeleryEventIngestor } from '@/lib/celery/ingest';
import type { CeleryEvent } from '@/lib/celery/events';
import { TaskListQuerySchema, type TaskFilter } from '@/lib/shared/task-filter';
import type { TaskRecord } from '@/lib/shared/task-record';
import { TaskRecorder } from '@/lib/worker/recorder';
import { rawRedis, uniqueName } from '@/test/support';
import { stateKeys } from './keys';
import { SCAN_BUDGET, TaskIndex } from './task-index';
import { TaskStore } from './task-store';
import { WorkerStore } from './worker-store';

/** The index's write paths (task store, the worker's recorder, Celery's events), its retention and its scan budget. */

const redis = rawRedis();
const prefixes: string[] = [];
const quiet = { warn: () => {} };

afterAll(async () => {
  for (const prefix of prefixes) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
  redis.disconnect();
});

function freshPrefix(): string {
  const prefix = `${uniqueName('tindex')}:`;
  prefixes.push(prefix);
  return prefix;
}

function filterOf(query: Record<string, string> = {}): TaskFilter {
  return TaskListQuerySchema.parse(query).filter;
}

function record(id: string, atMs: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  const at = new Date(atMs).toISOString();
  return { id, task: 'myapp.tasks.add', broker: 'redis', queue: 'q', priority: 4, state: 'succeeded', history: [{ state: 'active', at, worker: 'w' }, { state: 'succeeded', at, worker: 'w' }], updatedAt: at, ...extra };
}

async function allIds(index: TaskIndex, filter: TaskFilter, limit: number): Promise<{ ids: string[]; requests: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let requests = 0;
  do {
    const page = await index.list(filter, limit, cursor);
    requests += 1;
    ids.push(...page.tasks.map((t) => t.id));
    cursor = page.nextCursor;
  } while (cursor && requests < 1000);
  return { ids, requests };
}

describe('TaskIndex', () => {
  it("indexes what the worker's recorder writes, in the same flush", async () => {
    const prefix = freshPrefix();
    const index = new TaskIndex(redis, prefix);
    const recorder = new TaskRecorder(redis, prefix, quiet, index);
    const at = new Date().toISOString();
    const recording = recorder.open({ id: 'r1', task: 'myapp.tasks.add', broker: 'redis', queue: 'q', priority: 1, state: 'active', history: [{ state: 'active', at, worker: 'w1' }], updatedAt: at });
    recorder.touch(recording, [{ type: 'task.started' }]);
    await recorder.drain();
    let page = await index.list(filterOf(), 10, null);
    expect(page.tasks).toEqual([expect.objectContaining({ id: 'r1', state: 'active', priority: 1, worker: 'w1', startedAt: at })]);
    expect((await index.counts(null, null)).active).toBe(1);

    const done = new Date(Date.parse(at) + 20).toISOString();
    recording.doc.state = 'failed';
    recording.doc.error = 'KeyError: x';
    recording.doc.history.push({ state: 'failed', at: done, worker: 'w1' });
    recording.doc.updatedAt = done;
    recorder.touch(recording, [{ type: 'task.failed' }]);
    await recorder.drain();
    page = await index.list(filterOf({ state: 'failed' }), 10, null);
    expect(page.tasks).toEqual([expect.objectContaining({ id: 'r1', state: 'failed', runtimeMs: 20, error: 'KeyError: x' })]);
    expect(await index.counts(null, null)).toMatchObject({ active: 0, failed: 1 });
  });

  it("indexes Celery's events: scheduled while its ETA is not due, then active, then succeeded", async () => {
    const prefix = freshPrefix();
    const index = new TaskIndex(redis, prefix);
    const ingestor = new CeleryEventIngestor('redis', new TaskStore(redis, prefix, index), new WorkerStore(redis, prefix));
    const now = Date.now() / 1000;
    const task = (type: string, offset: number, extra: object = {}): CeleryEvent => ({ kind: 'task', event: { type, uuid: 'c1', hostname: 'celery@h', timestamp: now + offset, ...extra } });
    await ingestor.push([task('task-received', 0, { name: 'proj.tasks.report', routing_key: 'celery', eta: new Date(Date.now() + 600_000).toISOString() })]);
    expect((await index.list(filterOf(), 5, null)).tasks).toEqual([expect.objectContaining({ id: 'c1', state: 'scheduled', task: 'proj.tasks.report', queue: 'celery', priority: null, worker: 'celery@h' })]);
    await ingestor.push([task('task-started', 1)]);
    expect((await index.list(filterOf({ state: 'active' }), 5, null)).tasks.map((t) => t.id)).toEqual(['c1']);
    await ingestor.push([task('task-succeeded', 1.5, { result: '42' })]);
    const [row] = (await index.list(filterOf(), 5, null)).tasks;
    expect(row).toMatchObject({ state: 'succeeded', runtimeMs: 500 });
    expect(await index.counts(null, null)).toMatchObject({ scheduled: 0, active: 0, succeeded: 1 });
  });

  it('keeps at most maxCount executions, trimming the oldest changes with their documents', async () => {
    const prefix = freshPrefix();
    const keys = stateKeys(prefix);
    const index = new TaskIndex(redis, prefix, { maxAgeSec: 3600, maxCount: 100 });
    const store = new TaskStore(redis, prefix, index);
    const base = Date.now() - 600_000;
    for (let i = 0; i < 150; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => store.save(record(`e${String(i + j).padStart(3, '0')}`, base + (i + j) * 1000), [])));
    }
    expect(await index.size()).toBe(100);
    const { ids } = await allIds(index, filterOf(), 500);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, k) => `e${String(149 - k).padStart(3, '0')}`));
    expect(await redis.hlen(keys.taskSummaries)).toBe(100);
    expect(Object.values(await index.counts(null, null)).reduce((a, b) => a + b, 0)).toBe(100);
    expect(await redis.exists(keys.task('e049'))).toBe(0);
    expect(await redis.exists(keys.task('e050'))).toBe(1);
  });

  it('drops executions last changed before the retention from the list (their documents expire by TTL)', async () => {
    const prefix = freshPrefix();
    const keys = stateKeys(prefix);
    const index = new TaskIndex(redis, prefix, { maxAgeSec: 3600, maxCount: 1000 });
    const store = new TaskStore(redis, prefix, index);
    await store.save(record('old', Date.now() - 2 * 3600_000), []);
    await store.save(record('new', Date.now()), []);
    expect((await index.list(filterOf(), 10, null)).tasks.map((t) => t.id)).toEqual(['new']);
    expect(await redis.hexists(keys.taskSummaries, 'old')).toBe(0);
    const ttl = await redis.ttl(keys.task('old'));
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('bounds the scan of one request, and continues it by cursor to a match far back', async () => {
    const prefix = freshPrefix();
    const index = new TaskIndex(redis, prefix);
    const store = new TaskStore(redis, prefix, index);
    const base = Date.now() - 3_600_000;
    const total = SCAN_BUDGET + 2_500;
    await store.save(record('needle', base, { task: 'myapp.tasks.needle' }), []);
    const batch = 500;
    for (let i = 1; i < total; i += batch) {
      const pipeline = redis.pipeline();
      const chunk = Array.from({ length: Math.min(batch, total - i) }, (_, j) => record(`hay-${i + j}`, base + (i + j) * 10));
      for (const r of chunk) pipeline.set(stateKeys(prefix).task(r.id), JSON.stringify(r));
      index.addTo(pipeline, chunk);
      await pipeline.exec();
    }
    expect(await index.size()).toBe(total);
    const first = await index.list(filterOf({ task: 'needle' }), 50, null);
    expect(first.tasks).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const { ids, requests } = await allIds(index, filterOf({ task: 'needle' }), 50);
    expect(ids).toEqual(['needle']);
    expect(requests).toBe(2);
    // State and time alone come from the sorted sets: one request fills the page.
    const page = await index.list(filterOf({ state: 'succeeded' }), 50, null);
    expect(page.tasks).toHaveLength(50);
    expect(page.tasks[0]!.id).toBe(`hay-${total - 1}`);
  });
});
