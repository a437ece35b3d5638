import type { z } from 'zod';
import type { AuditQuerySchema, SecurityLogQuerySchema } from '@/lib/control/schemas';
import { searchById } from '@/lib/control/search';
import { describeError, TriageError } from '@/lib/shared/errors';
import type { SearchResult } from '@/lib/shared/search';
import { WAIT_WINDOW_MIN, type QueueWaitSeries } from '@/lib/shared/wait-times';
import { parsePriorityFilter, type BrowseQuery, type Health, type MessagePage, type PublicHealth, type Queue, type QueueList } from '@/lib/shared/types';
import type { HistoryRange, HistorySeries } from '@/lib/state/history';
import { watchOperation, type OperationRecord } from '@/lib/state/operations';
import type { TaskRecord } from '@/lib/state/task-store';
import type { WaitTotal } from '@/lib/state/wait-times';
import type { Actor } from './auth';
import { listBrokerQueues } from './listing-cache';
import { decorate, withWaitTimes } from './queue-listing';
import type { RouteQueue } from './route';
import { allBrokers, runtime } from './runtime';
import { withSampledRates } from './sampler';
import { limitedSearch } from './search-limit';

/**
 * The reads route handlers answer with: Triage's state and the brokers' views, so no route
 * reaches a store or an adapter itself (the writes are lib/control's operations).
 */

export function auditPage(query: z.infer<typeof AuditQuerySchema>) {
  const { limit, cursor, ...filter } = query;
  return runtime().state.audit.page(limit, cursor ?? null, filter);
}

export function securityLogPage(query: z.infer<typeof SecurityLogQuerySchema>) {
  const { limit, cursor, ...filter } = query;
  return runtime().state.securityLog.page(limit, cursor ?? null, filter);
}

export function operationRecord(id: string): Promise<OperationRecord | null> {
  return runtime().state.operations.get(id);
}

/** `progress` events while the operation runs, then `done`; null for an unknown id. */
export async function operationEvents(id: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array> | null> {
  const store = runtime().state.operations;
  if (!(await store.get(id))) return null;
  return watchOperation(store, id, signal);
}

export function taskRecord(id: string): Promise<TaskRecord | null> {
  return runtime().state.tasks.get(id);
}

/** Every task wait recorded on `brokers`, for the /metrics histogram. */
export function taskWaitTotals(brokers: readonly string[]): Promise<WaitTotal[]> {
  return runtime().state.waitTimes.totals(brokers);
}

export function queueHistory(queue: RouteQueue, range: HistoryRange): Promise<HistorySeries> {
  return runtime().state.history.read(queue.broker.id, queue.name, range);
}

/**
 * A queue's task waits minute by minute over the last WAIT_WINDOW_MIN minutes, per level
 * (the queue's own layout) and band, a lane group's from its lanes; 404 for an unknown queue.
 */
export async function queueWaitSeries(queue: RouteQueue, nowMs = Date.now()): Promise<QueueWaitSeries> {
  const found = await queue.broker.getQueue(queue.name);
  if (!found) throw new TriageError('NOT_FOUND', `queue ${JSON.stringify(queue.name)} not found on broker ${queue.broker.id}`);
  const minutes = await runtime().state.waitTimes.minutes([queue.broker.id], nowMs);
  return {
    windowSec: WAIT_WINDOW_MIN * 60,
    stepSec: 60,
    points: minutes.map(({ startMs, byQueue }) => {
      const waits = withWaitTimes(found, byQueue, 60).waitTimes;
      return { t: startMs, levels: waits?.levels ?? {}, bands: waits?.bands ?? {} };
    }),
  };
}

/** One queue as the API shows it (pause, workers, rates, warnings); null when the broker has no such queue. */
export async function queueDetail(queue: RouteQueue): Promise<Queue | null> {
  const found = await queue.broker.getQueue(queue.name);
  if (!found) return null;
  const [decorated] = withSampledRates(await decorate([found], [queue.broker]));
  return decorated!;
}

export function browseQueue(queue: RouteQueue, query: BrowseQuery): Promise<MessagePage> {
  return queue.broker.browse(queue.name, {
    limit: query.limit,
    cursor: query.cursor,
    priorities: parsePriorityFilter(query.priority),
    task: query.task,
    text: query.q,
  });
}

/** Every queue on every reachable broker; an unreachable broker is listed under `unavailable`. */
export async function allQueues(): Promise<Required<QueueList>> {
  const brokers = await allBrokers();
  const results = await Promise.allSettled(brokers.map((broker) => listBrokerQueues(broker)));
  const queues: Queue[] = [];
  const unavailable: Required<QueueList>['unavailable'] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') queues.push(...result.value);
    else unavailable.push({ broker: brokers[i]!.id, error: describeError(result.reason) });
  });
  return { queues: withSampledRates(await decorate(queues, brokers)), unavailable };
}

/** Every broker's health; anonymous callers (`full: false`) get up/down and latency only. */
export async function brokerHealth(full: boolean): Promise<Health | PublicHealth> {
  const brokers = await Promise.all((await allBrokers()).map((broker) => broker.health()));
  const status = brokers.every((b) => b.ok) ? 'ok' : 'degraded';
  if (!full) return { status, brokers: brokers.map(({ id, kind, ok, latencyMs }) => ({ id, kind, ok, latencyMs })) } satisfies PublicHealth;
  return { status, brokers } satisfies Health;
}

/** Task records and waiting messages by id prefix, within the caller's search limit (search-limit.ts). */
export async function searchTasks(q: string, actor: Actor): Promise<SearchResult> {
  const rt = runtime();
  return limitedSearch(rt.state, rt.config.search, actor, async () => searchById(q, { brokers: await allBrokers(), tasks: rt.state.tasks }));
}
