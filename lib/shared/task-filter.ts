import { z } from 'zod';
import { PRIORITIES } from './priority';
import type { TaskRecord } from './task-record';
import { EXECUTION_STATES, type ExecutionState, type TaskSummary } from './task-summary';
import { PageLimitSchema } from './types';

/**
 * The task explorer's filters (`GET /api/v1/tasks?…` and the /tasks page's URL, which uses
 * the same names so a copied link reopens the same view). Several values of one filter are
 * comma-separated and any of them matches; filters combine with AND.
 */

/** The query parameters that are filters (the page keeps exactly these in its URL). */
export const TASK_FILTER_KEYS = ['state', 'task', 'queue', 'broker', 'worker', 'priority', 'since', 'until', 'q', 'id'] as const;
export type TaskFilterKey = (typeof TASK_FILTER_KEYS)[number];

export interface TaskFilter {
  states: ExecutionState[] | null;
  /** Lower-cased substrings of the task name. */
  tasks: string[] | null;
  queues: string[] | null;
  brokers: string[] | null;
  workers: string[] | null;
  /** The task's own priorities (levels and bands expanded). */
  priorities: number[] | null;
  /** Last change at or after / at or before, ms since the epoch. */
  since: number | null;
  until: number | null;
  /** Lower-cased text looked for in args, kwargs, result and error. */
  text: string | null;
  /** Task id prefix (case-sensitive, as ids are). */
  idPrefix: string | null;
}

const BANDS: Record<string, readonly number[]> = { high: [0, 1, 2], medium: [3, 4, 5], low: [6, 7, 8, 9] };
const MAX_VALUES = 50;
const MAX_TEXT = 200;
const RELATIVE = /^(\d{1,6})(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** One comma list; every problem names its field, so a 400 says which parameter to fix. */
function list<T>(field: string, item: (value: string) => { value: T } | string) {
  return z
    .string()
    .max(2000, { error: `${field}: at most 2000 characters` })
    .transform((text, ctx) => {
      const values = text.split(',').map((v) => v.trim()).filter(Boolean);
      if (values.length === 0) return null;
      if (values.length > MAX_VALUES) {
        ctx.addIssue({ code: 'custom', message: `${field}: at most ${MAX_VALUES} values` });
        return z.NEVER;
      }
      const out: T[] = [];
      for (const value of values) {
        const parsed = item(value);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: `${field}: ${parsed}` });
          return z.NEVER;
        }
        out.push(parsed.value);
      }
      return out;
    })
    .optional();
}

const name = (field: string) =>
  list(field, (value) => (value.length > MAX_TEXT ? `"${value.slice(0, 20)}…" is longer than ${MAX_TEXT} characters` : /[\u0000-\u001f\u007f]/.test(value) ? 'control characters are not allowed' : { value }));

function parseState(value: string): { value: ExecutionState } | string {
  return (EXECUTION_STATES as readonly string[]).includes(value) ? { value: value as ExecutionState } : `unknown state "${value}" (one of ${EXECUTION_STATES.join(', ')})`;
}

/** `0`, `3-5` (a range of levels) or a band: `high` (0–2), `medium` (3–5), `low` (6–9). */
function parsePriority(value: string): { value: number[] } | string {
  const band = BANDS[value.toLowerCase()];
  if (band) return { value: [...band] };
  const range = /^([0-9])(?:-([0-9]))?$/.exec(value);
  if (!range) return `"${value}" is neither a priority 0–9, a range like 3-5, nor a band (high, medium, low)`;
  const from = Number(range[1]);
  const to = range[2] === undefined ? from : Number(range[2]);
  return { value: PRIORITIES.filter((p) => p >= Math.min(from, to) && p <= Math.max(from, to)) };
}

/**
 * A moment: ISO 8601 (`2026-12-07T22:00:00Z`), ms since the epoch, or a span back from now
 * (`15m`, `1h`, `7d`), which keeps meaning "the last 15 minutes" in a shared link.
 */
export function parseMoment(text: string, now: number): number | null {
  const relative = RELATIVE.exec(text);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  if (/^\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

const moment = (field: string) =>
  z
    .string()
    .max(40, { error: `${field}: at most 40 characters` })
    .transform((text, ctx) => {
      const ms = parseMoment(text.trim(), Date.now());
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `${field}: "${text}" is not a time (ISO 8601 like 2026-01-31T12:00:00Z, ms since the epoch, or a span back from now like 15m, 1h, 7d)` });
        return z.NEVER;
      }
      return ms;
    })
    .optional();

const text = (field: string) =>
  z
    .string()
    .max(MAX_TEXT, { error: `${field}: at most ${MAX_TEXT} characters` })
    .transform((value) => value.trim() || null)
    .optional();

const filterFields = {
  state: list('state', parseState),
  task: name('task'),
  queue: name('queue'),
  broker: name('broker'),
  worker: name('worker'),
  priority: list('priority', parsePriority),
  since: moment('since'),
  until: moment('until'),
  q: text('q'),
  id: text('id'),
};

type FilterFields = z.output<z.ZodObject<typeof filterFields>>;

const sinceNotAfterUntil = (query: FilterFields) => query.since === undefined || query.until === undefined || query.since <= query.until;
const SINCE_AFTER_UNTIL = { error: 'since: must not be after until', path: ['since'] };

function toFilter(query: FilterFields): TaskFilter {
  return {
    states: query.state ? [...new Set(query.state)] : null,
    tasks: query.task ? query.task.map((t) => t.toLowerCase()) : null,
    queues: query.queue ?? null,
    brokers: query.broker ?? null,
    workers: query.worker ?? null,
    priorities: query.priority ? [...new Set(query.priority.flat())].sort((a, b) => a - b) : null,
    since: query.since ?? null,
    until: query.until ?? null,
    text: query.q ? query.q.toLowerCase() : null,
    idPrefix: query.id ?? null,
  };
}

export const TaskListQuerySchema = z
  .object({
    ...filterFields,
    limit: PageLimitSchema,
    cursor: z.string().max(600, { error: 'cursor: not a cursor this server gave out' }).optional(),
  })
  .strict()
  .refine(sinceNotAfterUntil, SINCE_AFTER_UNTIL)
  .transform((query) => ({ limit: query.limit, cursor: query.cursor ?? null, filter: toFilter(query) }));

/**
 * The explorer's filter as a JSON object (bulk actions on "every task matching"): the same
 * names and values as the query string, e.g. `{"state": "active,received", "queue": "celery"}`.
 */
export const TaskFilterSchema = z.object(filterFields).strict().refine(sinceNotAfterUntil, SINCE_AFTER_UNTIL).transform(toFilter);

/** Whether a filter narrows anything (an empty one selects every execution retained). */
export function isEmptyFilter(filter: TaskFilter): boolean {
  return Object.values(filter).every((value) => value === null);
}

export type TaskListQuery = z.output<typeof TaskListQuerySchema>;

/** Whether a row passes every filter but `text` (which needs the whole record: matchesText). */
export function matchesSummary(summary: TaskSummary, filter: TaskFilter): boolean {
  if (filter.states && !filter.states.includes(summary.state)) return false;
  if (filter.idPrefix && !summary.id.startsWith(filter.idPrefix)) return false;
  if (filter.brokers && !filter.brokers.includes(summary.broker)) return false;
  if (filter.queues && !filter.queues.includes(summary.queue)) return false;
  if (filter.workers && (summary.worker === null || !filter.workers.includes(summary.worker))) return false;
  if (filter.priorities && (summary.priority === null || !filter.priorities.includes(summary.priority))) return false;
  if (filter.tasks) {
    const name = summary.task.toLowerCase();
    if (!filter.tasks.some((part) => name.includes(part))) return false;
  }
  const at = Date.parse(summary.updatedAt);
  if (filter.since !== null && at < filter.since) return false;
  if (filter.until !== null && at > filter.until) return false;
  return true;
}

/** Whether `text` (lower-cased) is in the record's args, kwargs, result or error (any case). */
export function matchesText(record: Pick<TaskRecord, 'args' | 'kwargs' | 'result' | 'error'>, text: string): boolean {
  for (const value of [record.args, record.kwargs, record.result, record.error]) {
    if (value === undefined || value === null) continue;
    const haystack = typeof value === 'string' ? value : JSON.stringify(value);
    if (haystack.toLowerCase().includes(text)) return true;
  }
  return false;
}
