import { z } from 'zod';
import type { TaskRecord } from './task-record';

/** `GET /api/v1/search?q=`: a task id, or its first characters (at least 8). */
export const MIN_SEARCH_PREFIX = 8;

export const SearchQuerySchema = z
  .object({
    q: z
      .string()
      .trim()
      .min(MIN_SEARCH_PREFIX, { error: `q must be a task id or its first ${MIN_SEARCH_PREFIX} characters or more` })
      .max(255),
  })
  .strict();

/** A waiting message whose id starts with the query. `position` 1 is the next one a worker takes. */
export interface WaitingHit {
  broker: string;
  queue: string;
  position: number;
  id: string;
  task: string | null;
  /** The task's own priority (not the level it is stored under). */
  priority: number;
}

export interface SearchResult {
  q: string;
  /** Task records (tasks a worker has seen) whose id starts with `q`. */
  tasks: TaskRecord[];
  waiting: WaitingHit[];
  /** Queues not read to their end (the per-queue cap or the result limit stopped the read). */
  incomplete: { broker: string; queue: string; scanned: number }[];
  /** Brokers that could not be searched. */
  unavailable: { broker: string; error: string }[];
}
