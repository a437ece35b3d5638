import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { taskDefinition, type TaskDefinition, type TaskName } from '@/lib/shared/task-registry';

/**
 * Handlers of the demo tasks: they look like real work (waits like network calls, a bit
 * of CPU for reports) and take realistic times, scaled by TRIAGE_TASK_DURATION_SCALE so
 * tests can run them instantly.
 */
export interface TaskContext {
  id: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Retries so far (0 on the first attempt). */
  retries: number;
  /** Multiplies every simulated duration. */
  scale: number;
  /** Aborted when the task is revoked with terminate: stop soon, the slot is taken back after a grace period. */
  signal: AbortSignal;
}

export type TaskHandler = (ctx: TaskContext) => Promise<unknown>;

export class TaskFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskFailure';
  }
}

// Waits like a network call would, and gives up (rejects) as soon as the task is terminated.
const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal });
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const work = (ctx: TaskContext, lo: number, hi: number) => (ctx.scale > 0 ? sleep(between(lo, hi) * ctx.scale, ctx.signal) : Promise.resolve());

const HANDLERS: Record<TaskName, TaskHandler> = {
  'myapp.tasks.send_otp': async (ctx) => {
    await work(ctx, 50, 150);
    return { sent: true, to: ctx.args[0] };
  },
  'myapp.tasks.send_email': async (ctx) => {
    await work(ctx, 300, 800);
    return { sent: true, to: ctx.args[0], messageId: `<${ctx.id}@triage.local>` };
  },
  'myapp.tasks.generate_report': async (ctx) => {
    // Slices of CPU between IO waits, so a report never blocks the other slots for long.
    const total = between(3000, 8000) * ctx.scale;
    const started = Date.now();
    let digest = '';
    while (Date.now() - started < total) {
      digest = createHash('sha256').update(digest + String(ctx.args[0])).digest('hex');
      await sleep(Math.min(200, total), ctx.signal);
    }
    return { report: ctx.args[0], format: ctx.kwargs.format ?? 'pdf', digest: digest.slice(0, 16) };
  },
  'myapp.tasks.process_data': async (ctx) => {
    await work(ctx, 500, 2000);
    return { processed: Math.floor(between(100, 10_000)), batch: ctx.args[0] };
  },
  'myapp.tasks.flaky': async (ctx) => {
    await work(ctx, 100, 400);
    const failTimes = typeof ctx.kwargs.fail_times === 'number' ? ctx.kwargs.fail_times : null;
    const fails = failTimes !== null ? ctx.retries < failTimes : Math.random() < (typeof ctx.kwargs.fail_rate === 'number' ? ctx.kwargs.fail_rate : 0.3);
    if (fails) throw new TaskFailure(`upstream unavailable (attempt ${ctx.retries + 1})`);
    return { ok: true, attempts: ctx.retries + 1 };
  },
  'triage.tasks.noop': async () => null,
  'triage.tasks.sleep': async (ctx) => {
    await sleep(Number(ctx.args[0]), ctx.signal);
    return { slept: ctx.args[0] };
  },
};

export interface RegisteredTask {
  definition: TaskDefinition;
  handler: TaskHandler;
}

export function registeredTask(name: string): RegisteredTask | null {
  const definition = taskDefinition(name);
  if (!definition) return null;
  return { definition, handler: HANDLERS[definition.name as TaskName] };
}

/** Retries allowed for this call: the task's default, or `max_retries` in kwargs when the task accepts it. */
export function maxRetriesFor(task: RegisteredTask, kwargs: Record<string, unknown>): number {
  const override = kwargs.max_retries;
  return task.definition.name === 'myapp.tasks.flaky' && typeof override === 'number' ? override : task.definition.maxRetries;
}
