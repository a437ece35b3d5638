import type { TaskEventType } from '@/lib/shared/task-events';
import type { TaskHistoryEntry, TaskRecord, TaskState } from '@/lib/shared/task-record';
import type { WorkerRecord } from '@/lib/shared/types';
import { waitSecFor } from '@/lib/shared/wait-times';
import { celeryWorkerId, eventTime, taskStateFor, type CeleryEvent, type TaskEvent, type WorkerEvent } from './events';

/**
 * Folds real Celery workers' events into Triage's task and worker stores, so their tasks get
 * timelines and the workers appear beside Triage's own. Memory stays bounded: the state
 * lives in Redis (task records with a TTL, worker records pruned when silent); only a
 * capped map of which queues each Celery host was seen serving is kept here, unlike Flower,
 * which keeps every task in memory.
 */
const MAX_HOSTS = 1000;

/** Where task states go (Triage's task store): the last record of a task, and its new one with events. */
export interface TaskSink {
  get(id: string): Promise<TaskRecord | null>;
  save(record: TaskRecord, events: { type: TaskEventType; worker?: string; [extra: string]: unknown }[]): Promise<void>;
}

/** Where task waits go (Triage's wait-time store). */
export interface WaitSink {
  record(samples: { broker: string; queue: string; priority: number; waitSec: number; startedAtMs: number }[]): Promise<void>;
}

/** Where live workers go (Triage's worker store). */
export interface WorkerSink {
  put(record: WorkerRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

const EVENT_TYPE: Record<string, TaskEventType | undefined> = {
  'task-received': 'task.received',
  'task-started': 'task.started',
  'task-succeeded': 'task.succeeded',
  'task-failed': 'task.failed',
  'task-retried': 'task.retried',
  'task-revoked': 'task.revoked',
};

/** Where a state sorts among events of the same millisecond: a task's lifecycle order. */
const LIFECYCLE_RANK: Record<TaskState, number> = { queued: 0, active: 1, retrying: 2, succeeded: 3, failed: 3, revoked: 3, dead: 3 };

/**
 * `history` with `entry` placed by its event time. A prefork worker sends task-received from
 * its main process and task-started/-succeeded from the pool child over other connections, so
 * events can arrive out of order; the task's state is that of its latest event, so a late
 * task-received does not send a running task back to queued (nor a late start a finished one).
 */
function inTimeOrder(history: TaskHistoryEntry[], entry: TaskHistoryEntry): TaskHistoryEntry[] {
  const sortsAfter = (h: TaskHistoryEntry) => h.at > entry.at || (h.at === entry.at && LIFECYCLE_RANK[h.state] > LIFECYCLE_RANK[entry.state]);
  const index = history.findIndex(sortsAfter);
  return index === -1 ? [...history, entry] : [...history.slice(0, index), entry, ...history.slice(index)];
}

export class CeleryEventIngestor {
  private chain: Promise<void> = Promise.resolve();
  private readonly hosts = new Map<string, { startedAt: string; queues: Set<string> }>();

  constructor(
    private readonly brokerId: string,
    private readonly tasks: TaskSink,
    private readonly workers: WorkerSink,
    private readonly onError: (error: unknown) => void = () => {},
    /** Called when a Celery worker announces itself: pause state must be re-sent to it. */
    private readonly onWorkerOnline: (hostname: string) => void = () => {},
    private readonly waits: WaitSink | null = null,
  ) {}

  /** Applies events in arrival order, one batch at a time, so updates to one task never race. */
  push(events: CeleryEvent[]): Promise<void> {
    this.chain = this.chain.then(() => this.apply(events)).catch(this.onError);
    return this.chain;
  }

  private async apply(events: CeleryEvent[]): Promise<void> {
    for (const item of events) {
      if (item.kind === 'worker') await this.worker(item.event);
      else await this.task(item.event);
    }
  }

  private host(hostname: string, at: string) {
    let host = this.hosts.get(hostname);
    if (!host) {
      if (this.hosts.size >= MAX_HOSTS) this.hosts.delete(this.hosts.keys().next().value as string);
      host = { startedAt: at, queues: new Set() };
      this.hosts.set(hostname, host);
    }
    return host;
  }

  private async worker(event: WorkerEvent): Promise<void> {
    const id = celeryWorkerId(this.brokerId, event.hostname);
    if (event.type === 'worker-offline') {
      this.hosts.delete(event.hostname);
      await this.workers.remove(id);
      return;
    }
    const at = eventTime(event);
    if (event.type === 'worker-online' || !this.hosts.has(event.hostname)) this.onWorkerOnline(event.hostname);
    const host = this.host(event.hostname, at);
    const record: WorkerRecord & { software: string } = {
      id,
      hostname: event.hostname,
      pid: event.pid ?? 0,
      broker: this.brokerId,
      queues: [...host.queues],
      // Heartbeats do not carry pool size or prefetch; 0 = not reported.
      concurrency: 0,
      prefetch: 0,
      active: event.active ?? 0,
      processed: event.processed ?? 0,
      failed: 0,
      paused: false,
      pausedQueues: [],
      state: 'online',
      startedAt: host.startedAt,
      lastHeartbeatAt: at,
      heartbeatIntervalMs: Math.round((event.freq ?? 2) * 1000),
      software: `${event.sw_ident ?? 'celery'} ${event.sw_ver ?? ''}`.trim(),
    };
    await this.workers.put(record);
  }

  private async task(event: TaskEvent): Promise<void> {
    const state = taskStateFor(event.type);
    if (!state) return;
    const at = eventTime(event);
    const previous = await this.tasks.get(event.uuid);
    const queue = event.routing_key || event.queue || previous?.queue || '';
    if (event.hostname && queue && event.type !== 'task-sent') this.host(event.hostname, at).queues.add(queue);
    const worker = event.type === 'task-sent' ? undefined : event.hostname;
    const history = inTimeOrder(previous?.history ?? [], { state, at, ...(worker ? { worker } : {}), ...(event.exception ? { error: event.exception } : {}) });
    const latest = history.at(-1)!;
    const record: TaskRecord = {
      id: event.uuid,
      task: event.name ?? previous?.task ?? '',
      broker: this.brokerId,
      queue,
      // Celery's events carry no priority; null = unknown, unless Triage knew it already.
      priority: previous?.priority ?? (null as unknown as number),
      state: latest.state,
      history,
      ...(previous?.result !== undefined ? { result: previous.result } : {}),
      ...(event.result !== undefined ? { result: event.result } : {}),
      ...(event.exception ? { error: event.exception } : previous?.error ? { error: previous.error } : {}),
      ...(event.traceback ? { traceback: event.traceback } : previous?.traceback ? { traceback: previous.traceback } : {}),
      retries: event.retries ?? previous?.retries ?? 0,
      // task-received carries the ETA; task-started, which measures the wait, does not.
      ...(event.eta !== undefined ? { eta: event.eta } : previous?.eta !== undefined ? { eta: previous.eta } : {}),
      ...(previous?.enqueuedAt ? { enqueuedAt: previous.enqueuedAt } : {}),
      updatedAt: latest.at,
    };
    if (event.type === 'task-started' && previous && this.waits) await this.recordWait(previous, record, at);
    const type = EVENT_TYPE[event.type];
    await this.tasks.save(record, type ? [{ type, ...(worker ? { worker } : {}), source: 'celery' }] : []);
  }

  /**
   * A Celery task's wait, from the earliest enqueue time known: the record's `enqueuedAt`
   * (Triage saw the envelope), else the first `task-sent` or `task-received` event (protocol 2
   * headers carry no send time; from `task-received` only the time in the worker's prefetch
   * buffer is counted, an under-estimate). Celery's events carry no priority: a task whose
   * priority Triage does not know already is not counted (it has no level to be counted under).
   */
  private async recordWait(previous: TaskRecord, record: TaskRecord, at: string): Promise<void> {
    const priority = previous.priority as number | null;
    if (typeof priority !== 'number' || !record.queue) return;
    const startedAtMs = Date.parse(at);
    const enqueuedAt = previous.enqueuedAt ?? previous.history.find((h) => h.state === 'queued')?.at;
    const waitSec = waitSecFor(startedAtMs, enqueuedAt, record.eta);
    if (waitSec === null) return;
    await this.waits!.record([{ broker: this.brokerId, queue: record.queue, priority, waitSec, startedAtMs }]);
  }
}
