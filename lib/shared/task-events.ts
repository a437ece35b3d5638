/** What Triage's event log (lib/state/events.ts) holds and the live feed carries: one task or worker event. */
export type TaskEventType = 'task.received' | 'task.started' | 'task.succeeded' | 'task.failed' | 'task.retried' | 'task.dead' | 'task.revoked';
export type WorkerEventType = 'worker.online' | 'worker.heartbeat' | 'worker.offline';

export interface TriageEvent {
  type: TaskEventType | WorkerEventType;
  /** ISO time. */
  at: string;
  worker?: string;
  broker?: string;
  queue?: string;
  taskId?: string;
  task?: string;
  priority?: number;
  [extra: string]: unknown;
}

export interface StoredEvent extends TriageEvent {
  /** Stream entry id (`<ms>-<seq>`), usable as a cursor. */
  id: string;
}
