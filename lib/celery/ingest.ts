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

/** Where task states go (Triage's task store): the last records of tasks, and their new ones with events. */
export interface TaskSink {
  getMany(ids: readonly string[]): Promise<(TaskRecord | null)[]>;
  /** Each write is the record as of its events; a task written several times keeps its last record. */
  saveMany(writes: readonly { record: TaskRecord; events: { type: TaskEventType; worker?: string; [extra: string]: unknown }[] }[]): Promise<void>;
}

/** Where task waits go (Triage's wait-time store); priority null = unknown. */
export interface WaitSink {
  record(samples: { broker: string; queue: string; priority: number | null; waitSec: number; startedAtMs: number }[]): Promise<void>;
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

type TaskWrite = Parameters<TaskSink['saveMany']>[0][number];
type WaitSample = Parameters<WaitSink['record']>[0][number];

/** What one batch writes: each task read once, its records and events, its waits, each worker's last state (null = gone). */
interface Batch {
  records: Map<string, TaskRecord | null>;
  writes: TaskWrite[];
  waits: WaitSample[];
  workers: Map<string, WorkerRecord | null>;
}

/**
 * Events applied per batch at most: a backlog after a stall is worked off in batches of
 * this size, so no single read or write grows without bound.
 */
const MAX_BATCH = 2000;

/**
 * When the attempt that starts at `startedAt` was enqueued: the earliest `queued` entry after
 * the task's previous attempt (a task sent again under its id, e.g. retried from the failures
 * view, must not count the first run and the time in between as waiting). The record's
 * `enqueuedAt` (Triage saw the envelope) counts only for a first attempt.
 */
function attemptEnqueuedAt(previous: TaskRecord, startedAt: string): string | undefined {
  let since = -1;
  previous.history.forEach((h, i) => {
    if (h.state !== 'queued' && h.at <= startedAt) since = i;
  });
  const queued = previous.history.slice(since + 1).find((h) => h.state === 'queued' && h.at <= startedAt)?.at;
  return since === -1 ? (previous.enqueuedAt ?? queued) : queued;
}

export class CeleryEventIngestor {
  private tail: Promise<void> = Promise.resolve();
  private pending: CeleryEvent[] = [];
  private next: Promise<void> | null = null;
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

  /**
   * Applies `events` after every event pushed before them; resolves once they are stored.
   * One batch is written at a time, so updates to one task never race; events arriving
   * meanwhile wait and go together in the next batch (one read and one write for all of
   * them), so a busy cluster costs a few round trips per batch, not two per event, and a
   * backlog shrinks instead of growing.
   */
  push(events: CeleryEvent[]): Promise<void> {
    for (const event of events) this.pending.push(event);
    if (!this.next) {
      this.next = this.tail
        .then(async () => {
          const taken = this.pending;
          this.pending = [];
          this.next = null;
          for (let i = 0; i < taken.length; i += MAX_BATCH) await this.apply(taken.slice(i, i + MAX_BATCH));
        })
        .catch(this.onError);
      this.tail = this.next;
    }
    return this.next;
  }

  private async apply(events: CeleryEvent[]): Promise<void> {
    const ids = [...new Set(events.flatMap((item) => (item.kind === 'task' && taskStateFor(item.event.type) ? [item.event.uuid] : [])))];
    const found = ids.length > 0 ? await this.tasks.getMany(ids) : [];
    const batch: Batch = { records: new Map(ids.map((id, i) => [id, found[i] ?? null])), writes: [], waits: [], workers: new Map() };
    // In arrival order: a task's later event in the batch sees the record its earlier one made.
    for (const item of events) {
      if (item.kind === 'worker') this.worker(item.event, batch);
      else this.task(item.event, batch);
    }
    await Promise.all([
      batch.writes.length > 0 ? this.tasks.saveMany(batch.writes) : null,
      batch.waits.length > 0 && this.waits ? this.waits.record(batch.waits) : null,
      ...[...batch.workers].map(([id, record]) => (record ? this.workers.put(record) : this.workers.remove(id))),
    ]);
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

  private worker(event: WorkerEvent, batch: Batch): void {
    const id = celeryWorkerId(this.brokerId, event.hostname);
    if (event.type === 'worker-offline') {
      this.hosts.delete(event.hostname);
      batch.workers.set(id, null);
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
    // Only a worker's last state in the batch is written; deleted first so the write order follows the last event.
    batch.workers.delete(id);
    batch.workers.set(id, record);
  }

  private task(event: TaskEvent, batch: Batch): void {
    const state = taskStateFor(event.type);
    if (!state) return;
    const at = eventTime(event);
    const previous = batch.records.get(event.uuid) ?? null;
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
    if (event.type === 'task-started' && previous && this.waits) this.recordWait(previous, record, at, batch);
    const type = EVENT_TYPE[event.type];
    batch.records.set(event.uuid, record);
    batch.writes.push({ record, events: type ? [{ type, ...(worker ? { worker } : {}), source: 'celery' }] : [] });
  }

  /**
   * A Celery task's wait, from the earliest enqueue time known: the record's `enqueuedAt`
   * (Triage saw the envelope), else the first `task-sent` or `task-received` event (protocol 2
   * headers carry no send time; from `task-received` only the time in the worker's prefetch
   * buffer is counted, an under-estimate). Neither Celery's events nor its result backend
   * carry the priority (only the worker's own request does): a task whose priority Triage did
   * not see when it was enqueued is counted under "unknown", not guessed into a level.
   */
  private recordWait(previous: TaskRecord, record: TaskRecord, at: string, batch: Batch): void {
    const priority = typeof previous.priority === 'number' ? previous.priority : null;
    if (!record.queue) return;
    const startedAtMs = Date.parse(at);
    const enqueuedAt = attemptEnqueuedAt(previous, at);
    const waitSec = waitSecFor(startedAtMs, enqueuedAt, record.eta);
    if (waitSec === null) return;
    batch.waits.push({ broker: this.brokerId, queue: record.queue, priority, waitSec, startedAtMs });
  }
}
