import type { QueueBroker } from '@/lib/brokers/types';
import { describeError, isTriageError } from '@/lib/shared/errors';
import type { SearchResult, WaitingHit } from '@/lib/shared/search';
import type { TaskStore } from '@/lib/state/task-store';
import { runPreview } from './previews';

/**
 * Finds a task by its id or the id's first characters: task records workers wrote, and
 * messages still waiting in any listed queue of any broker. Bounded: each queue is read
 * from its head for at most SEARCH_CAPS (Redis LRANGE, which changes nothing; RabbitMQ
 * fetch-and-requeue, which marks what it read redelivered, hence the smaller cap), a broker
 * reads at most BROKER_BUDGET_QUEUES caps' worth in all, the task records are a SCAN of at
 * most TASK_SCAN_KEYS keys, and the search stops at RESULT_LIMIT hits of each kind. A
 * control operation starting on a queue stops the search's read there (previews.ts), so
 * nothing the search holds is hidden from it.
 */
const SEARCH_CAPS = { nonDestructive: 50_000, destructive: 10_000 } as const;
const BROKER_BUDGET_QUEUES = 4;
const TASK_SCAN_KEYS = 100_000;
const RESULT_LIMIT = 20;
// Queues read at once per broker: enough to hide round trips, few enough to stay polite.
const QUEUE_CONCURRENCY = 4;

export async function searchById(q: string, deps: { brokers: readonly QueueBroker[]; tasks: TaskStore }): Promise<SearchResult> {
  const result: SearchResult = { q, tasks: [], waiting: [], incomplete: [], unavailable: [] };
  const [tasks] = await Promise.all([
    findTasks(q, deps.tasks),
    ...deps.brokers.map(async (broker) => {
      try {
        await searchBroker(broker, q, result);
      } catch (error) {
        result.unavailable.push({ broker: broker.id, error: describeError(error) });
      }
    }),
  ]);
  result.tasks = tasks;
  const order = new Map(deps.brokers.map((b, i) => [b.id, i]));
  result.waiting.sort((a, b) => order.get(a.broker)! - order.get(b.broker)! || a.queue.localeCompare(b.queue) || a.position - b.position);
  result.waiting = result.waiting.slice(0, RESULT_LIMIT);
  return result;
}

async function findTasks(q: string, store: TaskStore): Promise<SearchResult['tasks']> {
  const exact = await store.get(q);
  const { records } = await store.findByIdPrefix(q, { limit: RESULT_LIMIT, maxKeys: TASK_SCAN_KEYS });
  const rest = records.filter((r) => r.id !== q).sort((a, b) => a.id.localeCompare(b.id));
  return exact ? [exact, ...rest] : rest;
}

async function searchBroker(broker: QueueBroker, q: string, result: SearchResult): Promise<void> {
  const queues = (await broker.listQueues()).filter((queue) => queue.details.exists !== false).map((queue) => queue.name);
  const incomplete = await scanQueues(broker, queues, {
    read: (queue, share, signal) => broker.control.findWaiting(queue, q, { cap: share, limit: RESULT_LIMIT, signal }),
    found: (queue, found) => {
      const hits: WaitingHit[] = found.found.map((m) => ({ broker: broker.id, queue, position: m.position, id: m.id, task: m.task, priority: m.priority }));
      result.waiting.push(...hits);
    },
    done: () => result.waiting.length >= RESULT_LIMIT,
  });
  result.incomplete.push(...incomplete.map((i) => ({ broker: broker.id, ...i })));
}

/** What scanQueues does with each queue. */
export interface QueueReader<T extends { scanned: number; complete: boolean }> {
  /** Reads at most `share` messages of `queue`; stops when `signal` aborts. */
  read(queue: string, share: number, signal: AbortSignal): Promise<T>;
  found(queue: string, read: T): void;
  /** Whether to stop before reading the next queue. */
  done(): boolean;
}

/**
 * Reads a broker's queues a few at once within the search's budget (SEARCH_CAPS per queue,
 * BROKER_BUDGET_QUEUES caps in all, what a queue did not use going back to the budget),
 * each read registered like a preview so a control operation starting on the queue stops
 * it first. Returns the queues not read to their end (`scanned: 0`: not read at all).
 * Queues deleted since they were listed are skipped.
 */
export async function scanQueues<T extends { scanned: number; complete: boolean }>(
  broker: QueueBroker,
  queues: readonly string[],
  reader: QueueReader<T>,
): Promise<{ queue: string; scanned: number }[]> {
  const cap = broker.control.capabilities.nonDestructiveScan ? SEARCH_CAPS.nonDestructive : SEARCH_CAPS.destructive;
  let budget = cap * BROKER_BUDGET_QUEUES;
  const incomplete: { queue: string; scanned: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < queues.length && budget > 0 && !reader.done()) {
      const queue = queues[next++]!;
      const share = Math.min(cap, budget);
      budget -= share;
      let read: T;
      try {
        read = await runPreview({ broker: broker.id, queue }, (signal) => reader.read(queue, share, signal), { yieldToOthers: true });
      } catch (error) {
        // Deleted since it was listed: nothing waits there.
        if (isTriageError(error) && error.code === 'NOT_FOUND') continue;
        throw error;
      }
      budget += share - read.scanned;
      reader.found(queue, read);
      if (!read.complete) incomplete.push({ queue, scanned: read.scanned });
    }
  };
  await Promise.all(Array.from({ length: QUEUE_CONCURRENCY }, worker));
  for (const queue of queues.slice(next)) incomplete.push({ queue, scanned: 0 });
  return incomplete;
}
