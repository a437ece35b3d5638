import { z } from 'zod';
import type { WorkerTaskRef } from '@/lib/shared/types';

/**
 * What a real Celery worker holds now, from `inspect active`, `reserved` and `scheduled`
 * (celery/worker/control.py): each an array of `Request.info()` dicts, `scheduled` wrapping
 * them as `{eta, priority, request}`. `time_start` is Unix seconds (Celery converts its
 * monotonic clock), null until the pool accepted the task.
 */
export const TASK_INSPECT_COMMANDS = [{ method: 'active' }, { method: 'reserved' }, { method: 'scheduled' }] as const;

const RequestSchema = z.object({ id: z.string(), name: z.string().nullable().optional(), time_start: z.number().nullable().optional() }).loose();
const ScheduledSchema = z.object({ eta: z.string().nullable().optional(), request: RequestSchema }).loose();

export interface HeldTasks {
  active: WorkerTaskRef[];
  reserved: WorkerTaskRef[];
  scheduled: WorkerTaskRef[];
}

function ref(request: z.infer<typeof RequestSchema>, eta?: string | null): WorkerTaskRef {
  return {
    id: request.id,
    task: request.name ?? 'unknown',
    ...(typeof request.time_start === 'number' ? { startedAt: new Date(request.time_start * 1000).toISOString() } : {}),
    ...(eta ? { eta } : {}),
  };
}

/** One worker's replies to TASK_INSPECT_COMMANDS (undefined: not answered); null when it answered none. */
export function heldTasks(active: unknown, reserved: unknown, scheduled: unknown): HeldTasks | null {
  if (active === undefined && reserved === undefined && scheduled === undefined) return null;
  const list = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S>[] => {
    const parsed = z.array(schema).safeParse(value);
    return parsed.success ? parsed.data : [];
  };
  return {
    active: list(RequestSchema, active).map((r) => ref(r)),
    reserved: list(RequestSchema, reserved).map((r) => ref(r)),
    scheduled: list(ScheduledSchema, scheduled).map((s) => ref(s.request, s.eta)),
  };
}
