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
  const cap = broker.control.capabilities.nonDestructiveScan ? SEARCH_CAPS.nonDestructive : SEARCH_CAPS.destructive;
  let budget = cap * BROKER_BUDGET_QUEUES;
  const queues = (await broker.listQueues()).filter((queue) => queue.details.exists !== false);
  let next = 0;
  const worker = async () => {
    while (next < queues.length && budget > 0 && result.waiting.length < RESULT_LIMIT) {
      const queue = queues[next++]!;
      const share = Math.min(cap, budget);
      budget -= share;
      let found;
      try {
        // Registered like a preview: an operation starting on the queue stops this read first.
        found = await runPreview(
          { broker: broker.id, queue: queue.name },
          (signal) => broker.control.findWaiting(queue.name, q, { cap: share, limit: RESULT_LIMIT, signal }),
          { yieldToOthers: true },
        );
      } catch (error) {
        // Deleted since it was listed: nothing waits there.
        if (isTriageError(error) && error.code === 'NOT_FOUND') continue;
        throw error;
      }
      budget += share - found.scanned;
      const hits: WaitingHit[] = found.found.map((m) => ({ broker: broker.id, queue: queue.name, position: m.position, id: m.id, task: m.task, priority: m.priority }));
      result.waiting.push(...hits);
      if (!found.complete) result.incomplete.push({ broker: broker.id, queue: queue.name, scanned: found.scanned });
    }
  };
  await Promise.all(Array.from({ length: QUEUE_CONCURRENCY }, worker));
  const skipped = queues.slice(next);
  for (const queue of skipped) result.incomplete.push({ broker: broker.id, queue: queue.name, scanned: 0 });
}
