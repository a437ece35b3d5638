import { z } from 'zod';
import type { RemoteCommand } from '@/lib/brokers/types';
import { celeryWorkerId } from '@/lib/celery/events';
import { TASK_INSPECT_COMMANDS, heldTasks, type HeldTasks } from '@/lib/celery/inspect-tasks';
import { QueueNameSchema, hasControlCharacters } from '@/lib/shared/names';
import { RATE_LIMIT_PATTERN } from '@/lib/shared/rate-limit';
import { TriageError, isTriageError } from '@/lib/shared/errors';
import type { WorkerView } from '@/lib/shared/types';
import { audited, type ControlContext } from './context';
import { RecentAnswers } from './recent-answer';

/**
 * Worker control (issue 19 §4): pool size, autoscale, rate and time limits per task name,
 * consumers, shutdown. Real Celery workers get Celery's remote-control commands over their
 * broker (pidbox); Triage's workers get the same commands, with the same names, arguments
 * and replies, over the state Redis (lib/state/worker-mailbox.ts). Every command is audited
 * and answered with what the worker replied; a worker that did not answer in time is
 * reported as such, not as an error.
 */

// Celery's own `inspect`/`control` default is 1 s; a pool change on a loaded worker can take longer to be acknowledged.
export const CONTROL_TIMEOUT_MS = 3000;

const TaskNameSchema = z
  .string({ error: 'task is required: a task name such as myapp.tasks.send_email' })
  .trim()
  .min(1, { error: 'task must not be empty' })
  .max(200, { error: 'task name is at most 200 characters' })
  .refine((task) => !hasControlCharacters(task), { error: 'task names may not contain control characters' });

const PoolStepSchema = z.number({ error: 'a number of pool processes' }).int().min(1).max(1000);
const SecondsSchema = z.number({ error: 'seconds, a number' }).positive().max(7 * 24 * 3600);

export const WorkerParamsSchema = z.object({ id: z.string().min(1).max(512) });

export const ShutdownBodySchema = z.object({}).strict();

export const PoolBodySchema = z
  .object({ grow: PoolStepSchema.optional(), shrink: PoolStepSchema.optional(), restart: z.literal(true).optional() })
  .strict()
  .refine((b) => b.grow !== undefined || b.shrink !== undefined || b.restart !== undefined, { error: 'give grow, shrink or restart' })
  .refine((b) => b.grow === undefined || b.shrink === undefined, { error: 'grow and shrink are exclusive', path: ['shrink'] });

export const AutoscaleBodySchema = z
  .object({ min: z.number({ error: 'min is required' }).int().min(0).max(1000), max: z.number({ error: 'max is required' }).int().min(1).max(1000) })
  .strict()
  .refine((b) => b.min <= b.max, { error: 'min must not exceed max', path: ['min'] });

export const RateLimitBodySchema = z
  .object({
    task: TaskNameSchema,
    rate: z.string({ error: 'rate is required, e.g. "10/m"' }).regex(RATE_LIMIT_PATTERN, { error: 'rate is a number per second or N/s, N/m, N/h ("0" turns it off)' }),
  })
  .strict();

export const TimeLimitBodySchema = z
  .object({ task: TaskNameSchema, soft: SecondsSchema.optional(), hard: SecondsSchema.optional() })
  .strict()
  .refine((b) => b.soft === undefined || b.hard === undefined || b.soft <= b.hard, { error: 'soft must not exceed hard', path: ['soft'] });

export const ConsumerBodySchema = z
  .object({ queue: QueueNameSchema, action: z.enum(['add', 'cancel'], { error: 'action is "add" or "cancel"' }) })
  .strict();

export type WorkerCommand =
  | { kind: 'shutdown' }
  | ({ kind: 'pool' } & z.infer<typeof PoolBodySchema>)
  | ({ kind: 'autoscale' } & z.infer<typeof AutoscaleBodySchema>)
  | ({ kind: 'rate-limit' } & z.infer<typeof RateLimitBodySchema>)
  | ({ kind: 'time-limit' } & z.infer<typeof TimeLimitBodySchema>)
  | ({ kind: 'consumer' } & z.infer<typeof ConsumerBodySchema>);

export interface WorkerControlReply {
  /** The remote-control method sent (Celery's name). */
  command: string;
  /** false: no answer within the timeout (the worker is gone, busy, or the command never answers: Celery's shutdown). */
  answered: boolean;
  /** The worker's answer: what it did... */
  ok?: string;
  /** ...or why it refused (unknown task, autoscale not enabled...). */
  error?: string;
}

export interface WorkerControlResult {
  worker: string;
  broker: string;
  replies: WorkerControlReply[];
}

/** The remote-control commands one API command stands for, in the order they are sent. */
export function remoteCommands(command: WorkerCommand): RemoteCommand[] {
  switch (command.kind) {
    case 'shutdown':
      return [{ method: 'shutdown' }];
    case 'pool':
      return [
        ...(command.grow ? [{ method: 'pool_grow', args: { n: command.grow } }] : []),
        ...(command.shrink ? [{ method: 'pool_shrink', args: { n: command.shrink } }] : []),
        ...(command.restart ? [{ method: 'pool_restart', args: { reload: false } }] : []),
      ];
    case 'autoscale':
      return [{ method: 'autoscale', args: { max: command.max, min: command.min } }];
    case 'rate-limit':
      return [{ method: 'rate_limit', args: { task_name: command.task, rate_limit: command.rate } }];
    case 'time-limit':
      return [{ method: 'time_limit', args: { task_name: command.task, soft: command.soft ?? null, hard: command.hard ?? null } }];
    case 'consumer':
      return [{ method: command.action === 'add' ? 'add_consumer' : 'cancel_consumer', args: { queue: command.queue } }];
  }
}

/** Who a worker id names: a real Celery worker (`celery:<broker>:<hostname>`) or one of Triage's. */
type Target = { kind: 'celery'; broker: string; hostname: string } | { kind: 'triage'; broker: string };

async function resolve(ctx: ControlContext, workerId: string): Promise<{ target: Target; known: boolean; stored: WorkerView | undefined }> {
  const stored = (await ctx.state.workers.list()).find((w) => w.id === workerId);
  for (const broker of ctx.brokerIds) {
    const prefix = celeryWorkerId(broker, '');
    if (workerId.startsWith(prefix) && workerId.length > prefix.length) {
      return { target: { kind: 'celery', broker, hostname: workerId.slice(prefix.length) }, known: stored !== undefined, stored };
    }
  }
  if (!stored) throw new TriageError('NOT_FOUND', `no worker ${JSON.stringify(workerId)} is known`);
  return { target: { kind: 'triage', broker: stored.broker }, known: true, stored };
}

function replyOf(command: string, raw: unknown): WorkerControlReply {
  if (raw === undefined) return { command, answered: false };
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const value = raw as { ok?: unknown; error?: unknown };
    if (typeof value.error === 'string') return { command, answered: true, error: value.error };
    if (typeof value.ok === 'string') return { command, answered: true, ok: value.ok };
  }
  return { command, answered: true, ok: JSON.stringify(raw) };
}

async function send(ctx: ControlContext, workerId: string, target: Target, command: RemoteCommand, timeoutMs: number): Promise<WorkerControlReply> {
  if (target.kind === 'triage') {
    return replyOf(command.method, await ctx.state.mailbox.send(workerId, command, timeoutMs));
  }
  const broker = await ctx.broker(target.broker);
  if (!broker.control.capabilities.remoteControl) throw new TriageError('UNSUPPORTED', `broker ${target.broker} has no Celery remote control`);
  if (command.method === 'shutdown') {
    // Celery's shutdown ends the worker without answering: waiting for a reply could only time out.
    const reached = await broker.control.broadcast(command.method, command.args ?? {}, [target.hostname]);
    return { command: command.method, answered: false, ...(reached ? { ok: 'sent; Celery workers do not answer shutdown' } : {}) };
  }
  const replies = await broker.control.broadcastControl(command, [target.hostname], timeoutMs);
  return replyOf(command.method, replies.get(target.hostname));
}

/** Sends `command` to worker `workerId` and returns its replies; audited. NOT_FOUND for a worker nobody knows. */
export async function controlWorker(ctx: ControlContext, workerId: string, command: WorkerCommand, timeoutMs = CONTROL_TIMEOUT_MS): Promise<WorkerControlResult> {
  const { target, known } = await resolve(ctx, workerId);
  const { kind, ...params } = command;
  const taskOrQueue = 'task' in command ? { task: command.task } : 'queue' in command ? { queue: command.queue } : {};
  return audited(
    ctx,
    { action: `worker.${kind}`, target: { broker: target.broker, ...taskOrQueue }, params: { worker: workerId, ...params } },
    async () => {
      const replies: WorkerControlReply[] = [];
      for (const remote of remoteCommands(command)) replies.push(await send(ctx, workerId, target, remote, timeoutMs));
      // A Celery id seen neither in events nor in any answer names no worker at all.
      if (!known && target.kind === 'celery' && !replies.some((r) => r.answered || r.ok)) {
        throw new TriageError('NOT_FOUND', `no worker ${JSON.stringify(workerId)} is known or answered`);
      }
      return { worker: workerId, broker: target.broker, replies };
    },
    (result) => ({ replies: result.replies }),
  );
}

export interface WorkerTasks extends HeldTasks {
  worker: string;
  /** false: a Celery worker that did not answer in time (the lists are then empty), or a Triage worker that stopped reporting. */
  answered: boolean;
}

/**
 * What a worker runs and holds now (issue 19 §2), or null for a worker nobody knows. Triage
 * workers report it in every heartbeat (2 s); a Celery worker is asked with `inspect
 * active/reserved/scheduled`, unless it is known to be silent (stale): nothing to wait for.
 */
/**
 * A Celery worker's held tasks, asked at most once a second per worker however many tabs
 * show the workers page (each polls every row at the live pace).
 */
const recentlyHeld = new RecentAnswers<HeldTasks | null>(1000);

export async function workerTasks(ctx: ControlContext, workerId: string, timeoutMs = CONTROL_TIMEOUT_MS): Promise<WorkerTasks | null> {
  const none = { active: [], reserved: [], scheduled: [] };
  let resolved: Awaited<ReturnType<typeof resolve>>;
  try {
    resolved = await resolve(ctx, workerId);
  } catch (error) {
    if (isTriageError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  }
  const { target, known, stored: record } = resolved;
  if (target.kind === 'triage' || record?.stale) {
    if (!record) return null;
    return {
      worker: workerId,
      answered: !record.stale,
      active: record.activeTasks ?? [],
      reserved: record.reservedTasks ?? [],
      scheduled: record.scheduledTasks ?? [],
    };
  }
  const broker = await ctx.broker(target.broker);
  const held = await recentlyHeld.get(`${target.broker}\t${target.hostname}`, async () => {
    const replies = await broker.control.inspect(
      TASK_INSPECT_COMMANDS.map((c) => ({ ...c, destination: [target.hostname] })),
      timeoutMs,
    );
    return heldTasks(...(replies.map((r) => r.get(target.hostname)) as [unknown, unknown, unknown]));
  });
  if (!held && !known) return null;
  return { worker: workerId, answered: held !== null, ...(held ?? none) };
}
