import type { TaskRecord } from './task-record';

/**
 * One task execution as the task explorer lists it (`GET /api/v1/tasks`): what a row needs,
 * derived from the task's record (lib/shared/task-record.ts) however it was written (Triage's
 * worker, Celery's events), so rows stay small whatever the task's arguments or result.
 */

/**
 * The explorer's states. The record's `queued` is `received` (a worker or Celery reported
 * it), or `scheduled` while an ETA or countdown it carries is not due; `retrying` is an
 * attempt that failed and waits for its retry backoff; `failed`, `revoked` and `dead` are final.
 */
export const EXECUTION_STATES = ['received', 'scheduled', 'active', 'succeeded', 'failed', 'retrying', 'revoked', 'dead'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

export const FINAL_EXECUTION_STATES: readonly ExecutionState[] = ['succeeded', 'failed', 'revoked', 'dead'];

export interface TaskSummary {
  id: string;
  /** Task name. */
  task: string;
  state: ExecutionState;
  broker: string;
  queue: string;
  /** The task's own priority; null when unknown (Celery's events carry none). */
  priority: number | null;
  /** The worker that last reported on it. */
  worker: string | null;
  /** When a worker first reported it (took it, or Celery's `task-received`). */
  receivedAt: string | null;
  /** When its last attempt started. */
  startedAt: string | null;
  /** When it reached a final state. */
  finishedAt: string | null;
  /** Enqueued → first started, ms; null when either moment is unknown. */
  waitMs: number | null;
  /** Its last attempt's run time, ms, once final; null while it runs or when it never started. */
  runtimeMs: number | null;
  retries: number;
  /** The error's first line (at most ERROR_CHARS characters); null when none or succeeded. */
  error: string | null;
  /** A scheduled task's ETA. */
  eta: string | null;
  /** Its last change: the list is ordered by it, newest first. */
  updatedAt: string;
}

/** `GET /api/v1/tasks`: one page, newest change first. */
export interface TaskListPage {
  tasks: TaskSummary[];
  /** Where the next (older) page starts; null when nothing older matches. */
  nextCursor: string | null;
  /** Executions per state changed within the time range (`since`/`until`), whatever the other filters. */
  counts: Record<ExecutionState, number>;
}

const ERROR_CHARS = 300;

/** The record's state in the explorer's words (see EXECUTION_STATES); `revoked` as soon as a writer records it. */
export function executionState(record: Pick<TaskRecord, 'state' | 'updatedAt'> & { eta?: string | null }): ExecutionState {
  const state: string = record.state;
  switch (state) {
    case 'queued': {
      const eta = record.eta ? Date.parse(record.eta) : Number.NaN;
      return Number.isFinite(eta) && eta > Date.parse(record.updatedAt) ? 'scheduled' : 'received';
    }
    case 'active':
    case 'succeeded':
    case 'failed':
    case 'retrying':
    case 'revoked':
    case 'dead':
      return state;
    default:
      return 'received';
  }
}

function msBetween(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > ERROR_CHARS ? `${line.slice(0, ERROR_CHARS - 1)}…` : line;
}

/** The row of one record. Pure: the same record always gives the same summary. */
export function summarizeTask(record: TaskRecord): TaskSummary {
  const history = Array.isArray(record.history) ? record.history : [];
  const state = executionState(record);
  let worker: string | null = null;
  let receivedAt: string | null = null;
  let firstStartedAt: string | null = null;
  let startedAt: string | null = null;
  // Celery's `task-sent`: recorded without a worker, before any worker saw it.
  let sentAt: string | null = null;
  for (const entry of history) {
    if (entry.worker) {
      worker = entry.worker;
      receivedAt ??= entry.at;
    } else if (entry.state === 'queued') {
      sentAt ??= entry.at;
    }
    if (entry.state === 'active') {
      firstStartedAt ??= entry.at;
      startedAt = entry.at;
    }
  }
  const final = FINAL_EXECUTION_STATES.includes(state);
  const finishedAt = final ? (history.at(-1)?.at ?? record.updatedAt) : null;
  const eta = state === 'scheduled' ? (record.eta ?? null) : null;
  return {
    id: record.id,
    task: record.task ?? '',
    state,
    broker: record.broker,
    queue: record.queue,
    priority: typeof record.priority === 'number' ? record.priority : null,
    worker,
    receivedAt,
    startedAt,
    finishedAt,
    waitMs: msBetween(record.enqueuedAt ?? sentAt, firstStartedAt),
    runtimeMs: final ? msBetween(startedAt, finishedAt) : null,
    retries: typeof record.retries === 'number' ? record.retries : 0,
    error: record.error && state !== 'succeeded' ? firstLine(record.error) : null,
    eta,
    updatedAt: record.updatedAt,
  };
}
