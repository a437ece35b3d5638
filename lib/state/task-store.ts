import type { Redis } from 'ioredis';
import { EventLog, type TaskEventType } from './events';
import type { TaskRecord } from '@/lib/shared/task-record';
import { stateKeys } from './keys';
import { DEFAULT_TASK_RETENTION, TaskIndex } from './task-index';
import { execOrThrow } from '@/lib/redis/multi';

/**
 * The last known state of each task (product.md §4 `Task`), one JSON document per task id
 * with a TTL (the explorer's retention), written by workers as tasks move; the history keeps
 * the timeline across retries and workers. Every write also updates the task explorer's index.
 */
export type { TaskHistoryEntry, TaskRecord, TaskState } from '@/lib/shared/task-record';

type TaskEventInput = { type: TaskEventType; worker?: string; [extra: string]: unknown };

export const DEFAULT_TASK_TTL_SEC = DEFAULT_TASK_RETENTION.maxAgeSec;
// A task retried forever must not grow without bound.
const MAX_HISTORY = 100;
// Keys SCAN examines per call in a prefix search.
const SCAN_COUNT = 1000;

export class TaskStore {
  private readonly keys;
  private readonly events: EventLog;
  private readonly ttlSec: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly index: TaskIndex = new TaskIndex(redis, prefix),
    events?: EventLog,
  ) {
    this.keys = stateKeys(prefix);
    this.events = events ?? new EventLog(redis, prefix);
    this.ttlSec = index.retention.maxAgeSec;
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

  /** The records of `ids`, in their order (null where none is kept), in one round trip. */
  async getMany(ids: readonly string[]): Promise<(TaskRecord | null)[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.keys.task(id)));
    return raws.map((raw) => {
      if (!raw) return null;
      try {
        return JSON.parse(raw) as TaskRecord;
      } catch {
        return null;
      }
    });
  }

  /**
   * Records whose id starts with `prefix` (as stored; ids are matched case-sensitively by
   * Redis): a SCAN over the task keys that stops after `limit` hits or once it examined
   * about `maxKeys` keys, so its cost stays bounded however many tasks are kept.
   */
  async findByIdPrefix(prefix: string, options: { limit: number; maxKeys: number }): Promise<{ records: TaskRecord[]; complete: boolean }> {
    const pattern = `${this.keys.task(prefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
    const keys: string[] = [];
    let cursor = '0';
    let examined = 0;
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      examined += SCAN_COUNT;
      keys.push(...batch);
    } while (cursor !== '0' && keys.length < options.limit && examined < options.maxKeys);
    const chosen = [...new Set(keys)].slice(0, options.limit);
    const raws = chosen.length > 0 ? await this.redis.mget(...chosen) : [];
    const records = raws.flatMap((raw) => {
      try {
        return raw ? [JSON.parse(raw) as TaskRecord] : [];
      } catch {
        return [];
      }
    });
    return { records, complete: cursor === '0' && keys.length <= options.limit };
  }

  /**
   * Stores and indexes `record` (its history already extended by the caller) and appends
   * the events, in one round trip. Last writer wins: a task id is worked on by one worker at a time.
   */
  save(record: TaskRecord, events: TaskEventInput[]): Promise<void> {
    return this.saveMany([{ record, events }]);
  }

  /**
   * `save` for many at once, in one transaction (Celery event ingestion writes a batch of
   * events so): each write's events are stamped from its own record; a task written several
   * times is stored and indexed once, as its last record.
   */
  async saveMany(writes: readonly { record: TaskRecord; events: TaskEventInput[] }[]): Promise<void> {
    if (writes.length === 0) return;
    const latest = new Map<string, TaskRecord>();
    const pipeline = this.redis.multi();
    for (const { record, events } of writes) {
      latest.set(record.id, record);
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
    }
    for (const record of latest.values()) {
      if (record.history.length > MAX_HISTORY) record.history = record.history.slice(-MAX_HISTORY);
      pipeline.set(this.keys.task(record.id), JSON.stringify(record), 'EX', this.ttlSec);
    }
    this.index.addTo(pipeline, [...latest.values()]);
    await execOrThrow(pipeline);
  }
}
