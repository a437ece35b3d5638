import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * Celery's Redis result backend (celery-wire.md §4.2): `celery-task-meta-<id>` holds plain
 * JSON (not a kombu envelope) with status, result and traceback; `result_extended` adds the
 * request (name, args, kwargs, queue, worker, retries), which is what lets Triage rebuild
 * a failed task to retry it. The backend ignores kombu's global_keyprefix.
 */
export const TaskMetaSchema = z
  .object({
    status: z.string(),
    result: z.unknown().optional(),
    traceback: z.string().nullable().optional(),
    date_done: z.string().nullable().optional(),
    task_id: z.string(),
    children: z.array(z.unknown()).optional(),
    parent_id: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    args: z.unknown().optional(),
    kwargs: z.unknown().optional(),
    worker: z.string().nullable().optional(),
    retries: z.number().nullable().optional(),
    queue: z.string().nullable().optional(),
  })
  .loose();

export type TaskMeta = z.infer<typeof TaskMetaSchema>;

export function taskMetaKey(id: string, keyPrefix = ''): string {
  return `${keyPrefix}celery-task-meta-${id}`;
}

/** What reading a result backend takes: GET, MGET for several. */
export type ResultBackendClient = Pick<Redis, 'get' | 'mget'>;

/** The stored result of one task, or null when none exists (Celery's PENDING) or it is unreadable. */
export async function readTaskMeta(client: ResultBackendClient, id: string, keyPrefix = ''): Promise<TaskMeta | null> {
  return parseTaskMeta(await client.get(taskMetaKey(id, keyPrefix)));
}

/** The stored results of `ids`, in their order, in one round trip. */
export async function readTaskMetas(client: ResultBackendClient, ids: readonly string[], keyPrefix = ''): Promise<(TaskMeta | null)[]> {
  if (ids.length === 0) return [];
  return (await client.mget(...ids.map((id) => taskMetaKey(id, keyPrefix)))).map(parseTaskMeta);
}

function parseTaskMeta(raw: string | null): TaskMeta | null {
  if (!raw) return null;
  try {
    const parsed = TaskMetaSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A FAILURE's result is `{exc_type, exc_message, exc_module}`; this renders it as one line. */
export function describeFailure(meta: TaskMeta): string | null {
  if (meta.status !== 'FAILURE') return null;
  const result = meta.result as { exc_type?: string; exc_message?: unknown } | null | undefined;
  if (!result || typeof result !== 'object') return 'task failed';
  const message = Array.isArray(result.exc_message) ? result.exc_message.join(', ') : String(result.exc_message ?? '');
  return `${result.exc_type ?? 'Error'}: ${message}`;
}

export interface RebuiltTask {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  queue: string | null;
  retries: number;
}

/**
 * What it takes to send the task again, from the stored request. Only possible where the
 * producer's workers ran with `result_extended`; null otherwise.
 */
export function rebuildFromMeta(meta: TaskMeta): RebuiltTask | null {
  if (!meta.name) return null;
  const args = Array.isArray(meta.args) ? meta.args : null;
  const kwargs = meta.kwargs && typeof meta.kwargs === 'object' && !Array.isArray(meta.kwargs) ? (meta.kwargs as Record<string, unknown>) : null;
  if (!args || !kwargs) return null;
  return { task: meta.name, args, kwargs, queue: meta.queue ?? null, retries: meta.retries ?? 0 };
}
