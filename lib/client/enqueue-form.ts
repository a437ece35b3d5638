import { taskArgIssues, type ArgIssue } from '@/lib/shared/task-registry';
import { MAX_ENQUEUE_COUNT, type EnqueueBody } from '@/lib/shared/types';

/**
 * The enqueue form's rules, apart from React: raw field text → a request body, or an error
 * per field. The server checks everything again; `serverFieldErrors` puts its answer's
 * `details` paths back next to the same fields.
 */
export const ENQUEUE_FIELDS = ['target', 'task', 'args', 'kwargs', 'priority', 'count'] as const;
export type EnqueueField = (typeof ENQUEUE_FIELDS)[number];
export type FieldErrors = Partial<Record<EnqueueField, string>>;

export interface EnqueueFormValues {
  broker: string;
  queue: string;
  task: string;
  args: string;
  kwargs: string;
  priority: number;
  count: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Empty text means "none" (the server's default: [] or {}). */
function parseJson(text: string, field: 'args' | 'kwargs'): Parsed<unknown> {
  if (text.trim() === '') return { ok: true, value: field === 'args' ? [] : {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
}

function describeIssue(issue: ArgIssue): string {
  const inner = issue.path.slice(1);
  const where = inner.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  return where ? `${issue.path[0]}${where}: ${issue.message}` : issue.message;
}

function joinErrors(into: FieldErrors, field: EnqueueField, message: string): void {
  into[field] = into[field] ? `${into[field]}; ${message}` : message;
}

export function buildEnqueueBody(values: EnqueueFormValues): { ok: true; body: EnqueueBody } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!values.broker || !values.queue.trim()) errors.target = 'choose a broker and a queue';
  const task = values.task.trim();
  if (!task) errors.task = 'a task name is required, e.g. myapp.tasks.send_email';
  const args = parseJson(values.args, 'args');
  if (!args.ok) errors.args = args.error;
  else if (!Array.isArray(args.value)) errors.args = 'must be a JSON array, e.g. ["user@example.com"]';
  const kwargs = parseJson(values.kwargs, 'kwargs');
  if (!kwargs.ok) errors.kwargs = kwargs.error;
  else if (typeof kwargs.value !== 'object' || kwargs.value === null || Array.isArray(kwargs.value)) {
    errors.kwargs = 'must be a JSON object, e.g. {"template": "welcome"}';
  }
  const count = Number(values.count);
  if (!/^\s*\d+\s*$/.test(values.count) || count < 1 || count > MAX_ENQUEUE_COUNT) {
    errors.count = `an integer from 1 to ${MAX_ENQUEUE_COUNT.toLocaleString('en-US')}`;
  }
  if (!Number.isInteger(values.priority) || values.priority < 0 || values.priority > 9) errors.priority = 'a priority from 0 to 9';
  if (task) {
    // Each field against its schema on its own: a broken args must not hide a kwargs mistake.
    const shapeErrors = { args: errors.args, kwargs: errors.kwargs };
    for (const issue of taskArgIssues(task, args.ok ? args.value : [], kwargs.ok ? kwargs.value : {})) {
      const field = issue.path[0] as 'args' | 'kwargs';
      if (!shapeErrors[field]) joinErrors(errors, field, describeIssue(issue));
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      task,
      args: args.ok ? (args.value as unknown[]) : [],
      kwargs: kwargs.ok ? (kwargs.value as Record<string, unknown>) : {},
      priority: values.priority,
      count,
    },
  };
}

function isIssue(value: unknown): value is ArgIssue {
  return typeof value === 'object' && value !== null && Array.isArray((value as ArgIssue).path) && typeof (value as ArgIssue).message === 'string';
}

/**
 * A 400's `details` ([{path, message}], path rooted at the body) → errors on the fields
 * they name; anything the form has no field for comes back as `rest`.
 */
export function serverFieldErrors(details: unknown, message: string): { errors: FieldErrors; rest: string | null } {
  const errors: FieldErrors = {};
  const rest: string[] = [];
  for (const issue of Array.isArray(details) ? details.filter(isIssue) : []) {
    // The broker and queue travel in the URL: their errors belong to the target.
    const field = issue.path[0] === 'broker' || issue.path[0] === 'queue' ? 'target' : issue.path[0];
    if (typeof field === 'string' && (ENQUEUE_FIELDS as readonly string[]).includes(field)) joinErrors(errors, field as EnqueueField, describeIssue(issue));
    else rest.push(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
  }
  if (Object.keys(errors).length === 0 && rest.length === 0) rest.push(message);
  return { errors, rest: rest.length ? rest.join('; ') : null };
}
