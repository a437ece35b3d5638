import { afterAll, describe, expect, it } from 'vitest';
import { TaskStore } from '@/lib/state/task-store';
import { WorkerStore } from '@/lib/state/worker-store';
import { scratchRedis, uniqueName } from '@/test/support';
import type { CeleryEvent } from './events';
import { CeleryEventIngestor } from './ingest';

const scratch = scratchRedis();
afterAll(() => scratch.done());

function task(type: string, uuid: string, timestamp: number, extra: Record<string, unknown> = {}): CeleryEvent {
  return { kind: 'task', event: { type, uuid, timestamp, hostname: 'w1@host', ...extra } };
}

function setup() {
  const prefix = `${uniqueName('order-ingest')}:`;
  scratch.names.push(prefix);
  const tasks = new TaskStore(scratch.client, prefix);
  const ingestor = new CeleryEventIngestor('redis', tasks, new WorkerStore(scratch.client, prefix), (e) => { throw e; });
  return { queue: uniqueName('cq'), tasks, ingestor };
}

// A prefork worker sends task-received from its main process and task-started/-succeeded from
// the pool child, over separate connections: they can arrive out of their timestamps' order.
describe('Celery events that arrive out of order', () => {
  it('keep the timeline in event-time order and the state of the latest event', async () => {
    const { queue, tasks, ingestor } = setup();
    const t0 = Date.now() / 1000 - 10;
    await ingestor.push([
      task('task-sent', 'late-received', t0, { name: 'app.add', routing_key: queue }),
      task('task-started', 'late-received', t0 + 0.2),
      task('task-received', 'late-received', t0 + 0.1, { name: 'app.add', routing_key: queue }),
    ]);
    const active = await tasks.get('late-received');
    expect(active!.history.map((h) => h.state)).toEqual(['queued', 'queued', 'active']);
    expect(active!.state).toBe('active');

    await ingestor.push([task('task-succeeded', 'late-received', t0 + 0.3, { result: '3' })]);
    const done = await tasks.get('late-received');
    expect(done!.history.map((h) => h.state)).toEqual(['queued', 'queued', 'active', 'succeeded']);
    expect(done!.state).toBe('succeeded');
  });

  it('a task-started that arrives after task-succeeded does not make a finished task active again', async () => {
    const { queue, tasks, ingestor } = setup();
    const t0 = Date.now() / 1000 - 10;
    await ingestor.push([
      task('task-received', 'late-started', t0, { name: 'app.add', routing_key: queue }),
      task('task-succeeded', 'late-started', t0 + 0.5, { result: '3' }),
      task('task-started', 'late-started', t0 + 0.2),
    ]);
    const done = await tasks.get('late-started');
    expect(done!.history.map((h) => h.state)).toEqual(['queued', 'active', 'succeeded']);
    expect(done!.state).toBe('succeeded');
    expect(done!.updatedAt).toBe(new Date((t0 + 0.5) * 1000).toISOString());
  });

  it('events with the same timestamp keep the lifecycle order', async () => {
    const { queue, tasks, ingestor } = setup();
    const t0 = Math.floor(Date.now() / 1000) - 10;
    await ingestor.push([
      task('task-started', 'same-ms', t0),
      task('task-received', 'same-ms', t0, { name: 'app.add', routing_key: queue }),
    ]);
    const record = await tasks.get('same-ms');
    expect(record!.history.map((h) => h.state)).toEqual(['queued', 'active']);
    expect(record!.state).toBe('active');
  });

  it('batches pushed before the previous one is stored are applied together, each task in event-time order', async () => {
    const { queue, tasks, ingestor } = setup();
    const t0 = Date.now() / 1000 - 60;
    const ids = Array.from({ length: 300 }, (_, i) => `burst-${i}`);
    // As the driver pushes them: one pub/sub message after another, nobody awaiting.
    const pushed: Promise<void>[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      const slice = ids.slice(i, i + 10);
      pushed.push(ingestor.push(slice.map((id, k) => task('task-received', id, t0 + i + k, { name: 'app.add', routing_key: queue }))));
      // The started event of every third task comes before its received event.
      pushed.push(ingestor.push(slice.map((id, k) => task('task-started', id, t0 + i + k + (k % 3 === 0 ? -0.5 : 0.5)))));
      pushed.push(ingestor.push(slice.map((id, k) => task(k === 7 ? 'task-failed' : 'task-succeeded', id, t0 + i + k + 1, k === 7 ? { exception: 'ValueError()' } : { result: '3' }))));
    }
    await Promise.all(pushed);
    const records = await tasks.getMany(ids);
    records.forEach((record, i) => {
      expect(record!.state).toBe(i % 10 === 7 ? 'failed' : 'succeeded');
      expect(record!.history.map((h) => h.state)).toEqual(i % 10 % 3 === 0 ? ['active', 'queued', i % 10 === 7 ? 'failed' : 'succeeded'] : ['queued', 'active', i % 10 === 7 ? 'failed' : 'succeeded']);
      expect(record!.queue).toBe(queue);
      expect(record!.task).toBe('app.add');
    });
    // Indexed once per task, however many events it had.
    expect(await tasks.index.size()).toBe(300);
  });
});
