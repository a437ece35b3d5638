import { z } from 'zod';
import { plainIssue } from './plain-issue';

/**
 * The tasks the bundled worker knows: names, argument schemas and retry policy. Pure data
 * (no handlers), so the dashboard and API can suggest task names and validate arguments
 * before enqueueing; the worker (lib/worker/tasks.ts) adds the handlers.
 */

export interface TaskDefinition<A extends z.ZodType = z.ZodType, K extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Positional arguments (a tuple schema). */
  args: A;
  kwargs: K;
  /** Retries after the first failure; then the task goes to `<queue>.dead`. */
  maxRetries: number;
  /** A typical duration at TRIAGE_TASK_DURATION_SCALE=1, for people. */
  typicalMs: [number, number];
  /** Example call, for forms. */
  example: { args: unknown[]; kwargs: Record<string, unknown> };
}

function define<A extends z.ZodType, K extends z.ZodType>(def: TaskDefinition<A, K>): TaskDefinition<A, K> {
  return def;
}

const phone = z.string().regex(/^\+?[0-9]{6,16}$/, { error: 'a phone number like +15551234567' });

export const TASK_DEFINITIONS = {
  'myapp.tasks.send_otp': define({
    name: 'myapp.tasks.send_otp',
    description: 'Sends a one-time password by SMS (fast, urgent).',
    args: z.tuple([phone]),
    kwargs: z.object({ code: z.string().regex(/^[0-9]{4,8}$/).optional() }).loose(),
    maxRetries: 5,
    typicalMs: [50, 150],
    example: { args: ['+15551234567'], kwargs: { code: '123456' } },
  }),
  'myapp.tasks.send_email': define({
    name: 'myapp.tasks.send_email',
    description: 'Renders and sends one email (medium).',
    args: z.tuple([z.string().min(3), z.string()]).or(z.tuple([z.string().min(3)])),
    kwargs: z.object({ template: z.string().optional() }).loose(),
    maxRetries: 3,
    typicalMs: [300, 800],
    example: { args: ['user@example.com', 'Welcome'], kwargs: { template: 'welcome' } },
  }),
  'myapp.tasks.generate_report': define({
    name: 'myapp.tasks.generate_report',
    description: 'Builds a report (slow: CPU and IO).',
    args: z.tuple([z.string().min(1)]),
    kwargs: z.object({ format: z.enum(['pdf', 'csv']).optional() }).loose(),
    maxRetries: 2,
    typicalMs: [3000, 8000],
    example: { args: ['weekly-sales'], kwargs: { format: 'pdf' } },
  }),
  'myapp.tasks.process_data': define({
    name: 'myapp.tasks.process_data',
    description: 'Processes one batch of records.',
    args: z.tuple([z.number().int().min(0)]),
    kwargs: z.object({ source: z.string().optional() }).loose(),
    maxRetries: 3,
    typicalMs: [500, 2000],
    example: { args: [42], kwargs: { source: 's3://uploads' } },
  }),
  'myapp.tasks.flaky': define({
    name: 'myapp.tasks.flaky',
    description:
      'Calls an unreliable upstream: fails with probability fail_rate (default 0.3), or deterministically on its first fail_times attempts.',
    args: z.tuple([]).rest(z.unknown()),
    kwargs: z
      .object({
        fail_rate: z.number().min(0).max(1).optional(),
        fail_times: z.number().int().min(0).optional(),
        max_retries: z.number().int().min(0).max(20).optional(),
      })
      .loose(),
    maxRetries: 4,
    typicalMs: [100, 400],
    example: { args: [], kwargs: { fail_rate: 0.5 } },
  }),
  'triage.tasks.noop': define({
    name: 'triage.tasks.noop',
    description: 'Does nothing (benchmarks, smoke tests).',
    args: z.array(z.unknown()),
    kwargs: z.record(z.string(), z.unknown()),
    maxRetries: 0,
    typicalMs: [0, 0],
    example: { args: [], kwargs: {} },
  }),
  'triage.tasks.sleep': define({
    name: 'triage.tasks.sleep',
    description: 'Sleeps for the given milliseconds (not scaled); for tests and demos of long tasks.',
    args: z.tuple([z.number().int().min(0).max(3_600_000)]),
    kwargs: z.record(z.string(), z.unknown()),
    maxRetries: 0,
    typicalMs: [0, 0],
    example: { args: [2000], kwargs: {} },
  }),
} as const;

export type TaskName = keyof typeof TASK_DEFINITIONS;

export function taskDefinition(name: string): TaskDefinition | null {
  return Object.hasOwn(TASK_DEFINITIONS, name) ? TASK_DEFINITIONS[name as TaskName] : null;
}

export const TASK_NAMES = Object.keys(TASK_DEFINITIONS) as TaskName[];

/** One schema violation, its path rooted at `args` or `kwargs` (e.g. `['args', 0]`), as the API's error details. */
export interface ArgIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Every violation of a known task's schemas, paths rooted at the field, so a form can show
 * each next to its field; empty when valid (or the task is unknown: free-form names are allowed).
 */
export function taskArgIssues(name: string, args: unknown, kwargs: unknown): ArgIssue[] {
  const def = taskDefinition(name);
  if (!def) return [];
  const issues: ArgIssue[] = [];
  for (const [field, schema, value] of [['args', def.args, args], ['kwargs', def.kwargs, kwargs]] as const) {
    const parsed = schema.safeParse(value, { error: plainIssue });
    if (parsed.success) continue;
    for (const issue of parsed.error.issues.flatMap(specific)) {
      issues.push({ path: [field, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')], message: issue.message });
    }
  }
  return issues;
}

/** How far into the value a branch got before failing: deeper issues mean a closer match. */
const depth = (branch: z.core.$ZodIssue[]) => Math.max(...branch.map((i) => i.path.length));

/**
 * Between two alternatives that each miss only a size bound (tuples of 1 or 2 arguments), the
 * one asking for less: `[]` against both "needs at least 1 item", not 2.
 */
function looser(branch: z.core.$ZodIssue[], than: z.core.$ZodIssue[]): boolean {
  const [a, b] = [branch[0], than[0]];
  if (branch.length !== 1 || than.length !== 1 || !a || !b) return false;
  if (a.code === 'too_small' && b.code === 'too_small') return Number(a.minimum) < Number(b.minimum);
  if (a.code === 'too_big' && b.code === 'too_big') return Number(a.maximum) > Number(b.maximum);
  return false;
}

/**
 * A failed union ("one of these shapes") says only "Invalid input"; the alternative that
 * came closest (fewest issues, then the deepest) says what to fix.
 */
function specific(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const closest = issue.errors.reduce((best, branch) =>
    branch.length < best.length ||
    (branch.length === best.length && (depth(branch) > depth(best) || (depth(branch) === depth(best) && looser(branch, best))))
      ? branch
      : best,
  );
  return closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })).flatMap(specific);
}

/** Checks args/kwargs against a known task's schemas; null when valid (or the task is unknown). */
export function validateTaskArgs(name: string, args: unknown, kwargs: unknown): string | null {
  const issues = taskArgIssues(name, args, kwargs);
  const field = issues[0]?.path[0];
  if (field === undefined) return null;
  const own = issues.filter((i) => i.path[0] === field);
  return `${field}: ${own.map((i) => `${i.path.slice(1).join('.') || `(${field})`}: ${i.message}`).join('; ')}`;
}

/** JSON-friendly description of every task (JSON Schema for args and kwargs), for the API and UI. */
export function describeTasks(): {
  name: string;
  description: string;
  maxRetries: number;
  typicalMs: [number, number];
  example: { args: unknown[]; kwargs: Record<string, unknown> };
  args: unknown;
  kwargs: unknown;
}[] {
  return TASK_NAMES.map((name) => {
    const def = TASK_DEFINITIONS[name];
    return {
      name,
      description: def.description,
      maxRetries: def.maxRetries,
      typicalMs: def.typicalMs,
      example: def.example,
      args: z.toJSONSchema(def.args, { unrepresentable: 'any' }),
      kwargs: z.toJSONSchema(def.kwargs, { unrepresentable: 'any' }),
    };
  });
}
