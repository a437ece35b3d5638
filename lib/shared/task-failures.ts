import { z } from 'zod';
import { PrioritySchema } from './priority';

/**
 * The failures view (`GET /api/v1/tasks/failures`): failed and dead executions grouped by
 * task name and error (its first line), so one broken upstream reads as one line with a
 * count, not a thousand rows.
 */
export interface FailureGroup {
  task: string;
  /** The error's first line; null when none was recorded. */
  error: string | null;
  count: number;
  /** How many of them are `failed` (final, Celery) and `dead` (dead-lettered, Triage). */
  failed: number;
  dead: number;
  firstSeen: string;
  lastSeen: string;
  /** The group's executions, newest first, at most MAX_GROUP_IDS: what a bulk retry sends. */
  ids: string[];
  /**
   * Those of `ids` a retry cannot send again, grouped by why (Celery failures known from
   * events whose message nobody kept: no result backend, no stored result, no
   * `result_extended`); absent when every one can be retried.
   */
  notRetryable?: { reason: string; ids: string[] }[];
}

export interface FailureGroups {
  groups: FailureGroup[];
  /** Executions read; `complete: false` when the read stopped at its budget before the time range's start. */
  scanned: number;
  complete: boolean;
}

export const MAX_GROUP_IDS = 100;
export const MAX_RETRY_IDS = 500;

/** `POST /api/v1/tasks/retry`: several failed or dead tasks back to their queues, at their own priority or `priority`. */
export const RetryManyBodySchema = z
  .object({
    ids: z.array(z.string().min(1).max(255)).min(1, { error: 'ids: at least one task id' }).max(MAX_RETRY_IDS, { error: `ids: at most ${MAX_RETRY_IDS} task ids` }),
    priority: PrioritySchema.optional(),
  })
  .strict();

export interface RetryManyResult {
  matched: number;
  retried: number;
  /** The ids that could not be retried, and why (not dead-lettered any more, no result backend…). */
  failed: { id: string; message: string }[];
}
