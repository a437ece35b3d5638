/**
 * The last known state of each task (product.md §4 `Task`), one JSON document per task id
 * kept by lib/state/task-store.ts; shared so the browser reads the same shape the workers write.
 */
export type TaskState = 'queued' | 'active' | 'succeeded' | 'failed' | 'retrying' | 'dead' | 'revoked';

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
  /** The task's own priority (what it was enqueued with). */
  priority: number;
  /**
   * The priorities that share the level it was stored under, [from, to], when that level
   * holds more than its own (kombu's default steps store 1 under 0..2).
   */
  storedWith?: [number, number];
  state: TaskState;
  history: TaskHistoryEntry[];
  result?: unknown;
  error?: string;
  traceback?: string;
  retries?: number;
  /** The Celery envelope as the worker received it (absent on records of undecodable messages). */
  args?: unknown;
  kwargs?: unknown;
  eta?: string | null;
  origin?: string | null;
  enqueuedAt?: string | null;
  updatedAt: string;
}

/** States after which a task changes no more unless someone retries it. */
export const FINAL_TASK_STATES: readonly TaskState[] = ['succeeded', 'failed', 'dead', 'revoked'];
