import { afterAll, describe, expect, it } from 'vitest';
import { TaskStore } from '@/lib/state/task-store';
import { queueWaitTimes } from '@/lib/shared/wait-times';
import { WaitTimeStore } from '@/lib/state/wait-times';
import { WorkerStore } from '@/lib/state/worker-store';
import { scratchRedis, uniqueName } from '@/test/support';
import type { CeleryEvent } from './events';
import { CeleryEventIngestor } from './ingest';

const scratch = scratchRedis();
afterAll(() => scratch.done());

/** Celery task events as a worker sends them (timestamps in seconds). */
function task(type: string, uuid: string, timestamp: number, extra: Record<string, unknown> = {}): CeleryEvent {
  return { kind: 'task', event: { type, uuid, timestamp, hostname: 'w1@host', ...extra } };
}

/** Stores under a prefix of their own, and an ingestor writing waits to them. */
function setup() {
  const prefix = `${uniqueName('waits-ingest')}:`;
  scratch.names.push(prefix);
  const tasks = new TaskStore(scratch.client, prefix);
  const waits = new WaitTimeStore(scratch.client, prefix);
  const ingestor = new CeleryEventIngestor('redis', tasks, new WorkerStore(scratch.client, prefix), (e) => { throw e; }, () => {}, waits);
  return { queue: uniqueName('cq'), tasks, waits, ingestor };
}

describe('Celery ingestion records waits', () => {
  it('counts a started task of known priority from its earliest known enqueue time, once, and one of unknown priority under "unknown"', async () => {
    const { queue, tasks, waits, ingestor } = setup();
    const t0 = Date.now() / 1000 - 30;
    // A task Triage knows the priority of (a record from an earlier run).
    await tasks.save({ id: 'known', task: 'app.add', broker: 'redis', queue, priority: 1, state: 'queued', history: [], enqueuedAt: new Date(t0 * 1000).toISOString(), updatedAt: new Date(t0 * 1000).toISOString() }, []);
    await ingestor.push([
      task('task-received', 'known', t0 + 1, { name: 'app.add', routing_key: queue }),
      task('task-started', 'known', t0 + 7),
      task('task-succeeded', 'known', t0 + 8, { result: '3' }),
      // No record, so no priority: Celery's events never carry it.
      task('task-received', 'stranger', t0 + 1, { name: 'app.add', routing_key: queue }),
      task('task-started', 'stranger', t0 + 3.5),
    ]);
    const window = await waits.window(['redis']);
    const byPriority = window.get(`redis/${queue}`)!;
    expect([...byPriority.keys()].sort()).toEqual([1, null]);
    expect(byPriority.get(1)!.reduce((a, b) => a + b, 0)).toBe(1);
    expect(byPriority.get(null)!.reduce((a, b) => a + b, 0)).toBe(1);
    const totals = (await waits.totals(['redis'])).filter((t) => t.queue === queue);
    expect(totals.map((t) => t.priority)).toEqual([1, null]);
    // From the record's enqueue time, not from task-received.
    expect(totals[0]!.sumSec).toBeCloseTo(7, 1);
    // Unknown: from task-received, the only enqueue time known.
    expect(totals[1]!.sumSec).toBeCloseTo(2.5, 1);
  });

  it('shows the unknown row beside the levels, outside every level and band', async () => {
    const { queue, waits } = setup();
    const now = Date.now();
    await waits.record([
      { broker: 'redis', queue, priority: 0, waitSec: 0.02, startedAtMs: now },
      { broker: 'redis', queue, priority: null, waitSec: 40, startedAtMs: now },
      { broker: 'redis', queue, priority: null, waitSec: 50, startedAtMs: now },
    ]);
    const byPriority = (await waits.window(['redis'])).get(`redis/${queue}`)!;
    const shown = queueWaitTimes(byPriority, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])!;
    expect(shown.levels['0']!.count).toBe(1);
    expect(shown.bands.high!.count).toBe(1);
    expect(shown.unknown!.count).toBe(2);
    expect(shown.unknown!.p50).toBeGreaterThan(30);
    // Only unknown waits: still shown.
    expect(queueWaitTimes(new Map([[null, byPriority.get(null)!]]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])).toMatchObject({ levels: {}, bands: {}, unknown: { count: 2 } });
  });

  it('counts from the ETA when the task was due later than it was sent', async () => {
    const { queue, tasks, waits, ingestor } = setup();
    const t0 = Date.now() / 1000 - 60;
    await tasks.save({ id: 'eta', task: 'app.add', broker: 'redis', queue, priority: 9, state: 'queued', history: [], updatedAt: new Date(t0 * 1000).toISOString() }, []);
    await ingestor.push([
      task('task-sent', 'eta', t0, { name: 'app.add', routing_key: queue }),
      task('task-received', 'eta', t0 + 1, { eta: new Date((t0 + 20) * 1000).toISOString() }),
      task('task-started', 'eta', t0 + 22.5),
    ]);
    const [total] = (await waits.totals(['redis'])).filter((t) => t.queue === queue);
    expect(total!.sumSec).toBeCloseTo(2.5, 1);
  });

  it('a task sent again after it failed (a retry from the failures view) counts its second wait from its second enqueue', async () => {
    const { queue, waits, ingestor } = setup();
    const t0 = Date.now() / 1000 - 600;
    await ingestor.push([
      task('task-received', 'again', t0, { name: 'app.add', routing_key: queue }),
      task('task-started', 'again', t0 + 1),
      task('task-failed', 'again', t0 + 2, { exception: 'ValueError()' }),
      // Sent again under the same id minutes later.
      task('task-received', 'again', t0 + 300, { name: 'app.add', routing_key: queue }),
      task('task-started', 'again', t0 + 303),
    ]);
    const [total] = (await waits.totals(['redis'])).filter((t) => t.queue === queue);
    expect(total!.buckets.reduce((a, b) => a + b, 0)).toBe(2);
    // 1 s the first time, 3 s the second: not 303 s.
    expect(total!.sumSec).toBeCloseTo(4, 1);
  });
});
