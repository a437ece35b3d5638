import type { Redis } from 'ioredis';
import { EventLog, type TaskEventType } from './events';
import { stateKeys } from './keys';

/**
 * The last known state of each task (product.md §4 `Task`), one JSON document per task id
 * with a TTL, written by workers as tasks move; the history keeps the timeline across
 * retries and workers.
 */
export type TaskState = 'queued' | 'active' | 'succeeded' | 'failed' | 'retrying' | 'dead';

export interface TaskHistoryEntry {
  state: TaskState;
  at: string;
  worker?: string;
  error?: string;
  /** retrying: when the next attempt may start. */
  eta?: string;
  attempt?: number;
}

export interface TaskRecord {
  id: string;
  task: string;
  broker: string;
  queue: string;
  priority: number;
  state: TaskState;
  history: TaskHistoryEntry[];
  result?: unknown;
  error?: string;
  traceback?: string;
  retries?: number;
  updatedAt: string;
}

export const DEFAULT_TASK_TTL_SEC = 7 * 24 * 3600;
// A task retried forever must not grow without bound.
const MAX_HISTORY = 100;

export class TaskStore {
  private readonly keys;
  private readonly events: EventLog;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly ttlSec = DEFAULT_TASK_TTL_SEC,
    events?: EventLog,
  ) {
    this.keys = stateKeys(prefix);
    this.events = events ?? new EventLog(redis, prefix);
  }

  async get(id: string): Promise<TaskRecord | null> {
    const raw = await this.redis.get(this.keys.task(id));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as TaskRecord;
    } catch {
      return null;
    }
  }

  /**
   * Stores `record` (its history already extended by the caller) and appends the events,
   * in one round trip. Last writer wins: a task id is worked on by one worker at a time.
   */
  async save(record: TaskRecord, events: { type: TaskEventType; worker?: string; [extra: string]: unknown }[]): Promise<void> {
    if (record.history.length > MAX_HISTORY) record.history = record.history.slice(-MAX_HISTORY);
    const pipeline = this.redis.multi();
    pipeline.set(this.keys.task(record.id), JSON.stringify(record), 'EX', this.ttlSec);
    for (const event of events) {
      this.events.addTo(pipeline, {
        ...event,
        at: record.updatedAt,
        broker: record.broker,
        queue: record.queue,
        taskId: record.id,
        task: record.task,
        priority: record.priority,
      });
    }
    await pipeline.exec();
  }
}
