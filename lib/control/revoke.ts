import { z } from 'zod';
import type { MessageSelector, QueueBroker, TransferMessage } from '@/lib/brokers/types';
import { TriageError, isTriageError } from '@/lib/shared/errors';
import { QueueNameSchema } from '@/lib/shared/names';
import { isDeadQueue } from '@/lib/shared/parking';
import { REVOKE_SIGNALS, type RevokeArchive, type RevokeResult, type RevokeSignal } from '@/lib/shared/revoke';
import { FINAL_TASK_STATES, type TaskRecord } from '@/lib/shared/task-record';
import { audited, runOperation, type ControlContext } from './context';
import { runPreview, stopPreviews } from './previews';
import { archiveSelection } from './purge';
import { IdsSchema, MatchFieldsSchema, auditedIds, selectorOf } from './schemas';

/**
 * Revoke and terminate (issue 19 §3), for Triage's workers and real Celery workers alike:
 * - every revoked id goes to the RevokeStore, which Triage's workers check before running a
 *   delivery and watch while running one (lib/worker/revokes.ts), for the task retention period;
 * - Celery workers get `revoke` by remote control on every broker, so one that reserved the
 *   task skips it and, with `terminate`, one running it kills it with `signal`;
 * - a task still waiting in a queue is taken out of it into an archive, restorable like a
 *   purge (a restore un-revokes it for Triage's workers).
 */

const terminateFields = {
  terminate: z.boolean({ error: 'terminate must be true or false' }).optional(),
  signal: z.enum(REVOKE_SIGNALS, { error: `signal must be one of ${REVOKE_SIGNALS.join(', ')}` }).optional(),
};

const signalNeedsTerminate = (b: { terminate?: boolean; signal?: RevokeSignal }) => b.signal === undefined || b.terminate === true;
const SIGNAL_NEEDS_TERMINATE = { error: 'signal is only sent to a running task: give terminate: true with it', path: ['signal'] };

export const RevokeOneBodySchema = z
  .object(terminateFields)
  .strict()
  .refine(signalNeedsTerminate, SIGNAL_NEEDS_TERMINATE);

/** Waiting messages of one queue, selected like the queue page's bulk actions. */
const RevokeMatchSchema = MatchFieldsSchema.extend({ broker: z.string().min(1).max(64), queue: QueueNameSchema }).strict();

export const RevokeBodySchema = z
  .object({ ids: IdsSchema.optional(), match: RevokeMatchSchema.optional(), ...terminateFields, dryRun: z.boolean().optional() })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.match === undefined), {
    error: 'give either ids (task ids to revoke) or match ({broker, queue, task?, priorities?}: waiting tasks of a queue), not both',
    path: ['ids'],
  })
  .refine(signalNeedsTerminate, SIGNAL_NEEDS_TERMINATE);

export type RevokeBody = z.infer<typeof RevokeBodySchema>;

// Replies to `revoke` come as soon as every worker answered; the limit is for a busy one.
const CELERY_REPLY_TIMEOUT_MS = 2000;
// Brokers that cannot read a queue without side effects (RabbitMQ: fetch and requeue) are
// read from the head at most this far per queue, as the id search does (control/search.ts).
const LOCATE_CAP = 10_000;

/** `POST /api/v1/tasks/{id}/revoke`. */
export async function revokeTask(ctx: ControlContext, input: { id: string; terminate?: boolean; signal?: RevokeSignal }): Promise<RevokeResult> {
  return revokeTasks(ctx, { ids: [input.id], terminate: input.terminate, signal: input.signal }, { task: input.id });
}

/** `POST /api/v1/tasks/revoke`: by ids (anywhere) or by a match on one queue's waiting tasks. */
export async function revokeTasks(ctx: ControlContext, body: RevokeBody, target: { task?: string } = {}): Promise<RevokeResult> {
  const signal = body.terminate ? (body.signal ?? 'SIGTERM') : undefined;
  if (body.match) return revokeMatching(ctx, body.match, body.dryRun === true);
  const ids = [...new Set(body.ids ?? [])];
  const records = await Promise.all(ids.map((id) => ctx.state.tasks.get(id).catch(() => null)));
  const waiting = await locateWaiting(ctx, ids);
  const waitingIds = new Set([...waiting.values()].flatMap((w) => w.ids));
  const matched = ids.filter((id, i) => records[i] || waitingIds.has(id)).length;
  if (body.dryRun) return { matched, revoked: 0, terminated: 0, archives: [], dryRun: true };
  const params = { ids: auditedIds(ids), ...(signal ? { terminate: true, signal } : {}) };
  return audited(
    ctx,
    { action: 'revoke', target, params },
    async () => {
      // Stored before anything else: a Triage worker taking the task meanwhile skips it.
      await ctx.state.revokes.revoke(ids, { terminate: signal });
      const celeryTerminated = await tellCelery(ctx, ids, signal);
      const archives: RevokeArchive[] = [];
      for (const { broker, queue, ids: here } of waiting.values()) {
        const archived = await archiveLocked(ctx, broker, queue, { ids: here });
        if (archived) archives.push(archived.archive);
        if (archived) await recordRevokedWaiting(ctx, broker.id, queue, archived.messages, records, ids);
      }
      const terminated = signal ? ids.filter((id, i) => records[i]?.state === 'active' || celeryTerminated.has(id)).length : 0;
      const revoked = ids.filter((_, i) => !records[i] || !FINAL_TASK_STATES.includes(records[i].state)).length;
      return { matched, revoked, terminated, archives };
    },
    (r) => ({ matched: r.matched, revoked: r.revoked, terminated: r.terminated, archives: r.archives.map((a) => a.archiveId) }),
  );
}

async function revokeMatching(ctx: ControlContext, match: NonNullable<RevokeBody['match']>, dryRun: boolean): Promise<RevokeResult> {
  const broker = await ctx.broker(match.broker);
  const selector = selectorOf({ ...(match.task !== undefined || match.priorities !== undefined ? { match } : {}) });
  const ref = { broker: match.broker, queue: match.queue };
  const { task, priorities } = match;
  const params = { match: { ...(task !== undefined ? { task } : {}), ...(priorities ? { priorities } : {}) } };
  return runOperation(ctx, { action: 'revoke', target: ref, params, locks: [ref], preview: dryRun }, async (progress, abort) => {
    if (dryRun) {
      const counted = await broker.control.extract(match.queue, selector, null, { dryRun: true, ...(abort ? { signal: abort } : {}) });
      return { matched: counted.matched, revoked: 0, terminated: 0, archives: [] as RevokeArchive[], dryRun: true as const };
    }
    const archived = await archiveSelection(ctx, broker, match.queue, selector, progress);
    const ids = archived.messages.flatMap((m) => (m.id ? [m.id] : []));
    await ctx.state.revokes.revoke(ids);
    await tellCelery(ctx, ids, undefined);
    await recordRevokedWaiting(ctx, broker.id, match.queue, archived.messages, [], []);
    const archives = [{ broker: broker.id, queue: match.queue, archiveId: archived.archiveId, count: archived.moved }];
    return { matched: archived.moved, revoked: ids.length, terminated: 0, archives };
  });
}

interface WaitingIn {
  broker: QueueBroker;
  queue: string;
  ids: string[];
}

/**
 * Where the ids wait: the listed queues (dead-letter queues aside) of every reachable
 * broker. Brokers that read without side effects are asked for the ids exactly; the others
 * are read from the head, bounded, as a preview that a control operation stops.
 */
async function locateWaiting(ctx: ControlContext, ids: readonly string[]): Promise<Map<string, WaitingIn>> {
  const found = new Map<string, WaitingIn>();
  if (ids.length === 0) return found;
  const wanted = new Set(ids);
  for (const brokerId of ctx.brokerIds) {
    const broker = await ctx.broker(brokerId);
    const queues = await broker.listQueues().catch((error: unknown) => {
      if (isTriageError(error) && error.code === 'UNAVAILABLE') return [];
      throw error;
    });
    for (const queue of queues) {
      if (isDeadQueue(queue.name) || queue.details.exists === false) continue;
      // A read with side effects spares queues listed empty, unless configured: a listed
      // depth can be seconds old (RabbitMQ's statistics), and configured queues are where tasks go.
      if (!broker.control.capabilities.nonDestructiveScan && queue.depth === 0 && queue.details.configured !== true) continue;
      const here = await idsIn(broker, queue.name, wanted).catch((error: unknown) => {
        if (isTriageError(error) && (error.code === 'NOT_FOUND' || error.code === 'UNAVAILABLE')) return [];
        throw error;
      });
      if (here.length > 0) found.set(`${brokerId}\t${queue.name}`, { broker, queue: queue.name, ids: here });
    }
  }
  return found;
}

async function idsIn(broker: QueueBroker, queue: string, wanted: ReadonlySet<string>): Promise<string[]> {
  if (broker.control.capabilities.nonDestructiveScan) {
    const counted = await broker.control.extract(queue, { ids: [...wanted] }, null, { dryRun: true });
    return counted.foundIds ?? [];
  }
  const read = await runPreview(
    { broker: broker.id, queue },
    (signal) => broker.control.findWaiting(queue, '', { cap: LOCATE_CAP, limit: LOCATE_CAP, signal }),
    { yieldToOthers: true },
  );
  return [...new Set(read.found.map((m) => m.id).filter((id) => wanted.has(id)))];
}

/** Archives what is left of `selector` in the queue, holding its lock like any control operation. */
async function archiveLocked(
  ctx: ControlContext,
  broker: QueueBroker,
  queue: string,
  selector: MessageSelector,
): Promise<{ archive: RevokeArchive; messages: TransferMessage[] } | null> {
  const owner = `revoke:${ctx.actor.name}`;
  const release = await ctx.state.lockQueue(broker.id, queue, owner);
  if (!release) throw new TriageError('CONFLICT', `another control operation is running on ${broker.id}/${queue}; the tasks are revoked, but still wait there: try again`);
  try {
    await stopPreviews({ broker: broker.id, queue });
    const archived = await archiveSelection(ctx, broker, queue, selector);
    if (archived.moved === 0) {
      // Taken by a worker in between: nothing to undo; the revoke itself still holds.
      await ctx.state.archives.remove(archived.archiveId);
      return null;
    }
    return { archive: { broker: broker.id, queue, archiveId: archived.archiveId, count: archived.moved }, messages: archived.messages };
  } finally {
    await release().catch(() => {});
  }
}

/**
 * `revoke` to the Celery workers of every broker that has remote control. With terminate,
 * their replies are awaited: `terminate: <id>, <id>` names the tasks a worker killed.
 * Returns those ids. A broker that cannot be reached is skipped: Triage's own revoke stands.
 */
async function tellCelery(ctx: ControlContext, ids: readonly string[], signal: RevokeSignal | undefined): Promise<Set<string>> {
  const terminated = new Set<string>();
  if (ids.length === 0) return terminated;
  const args = { task_id: [...ids], ...(signal ? { terminate: true, signal } : {}) };
  for (const brokerId of ctx.brokerIds) {
    const broker = await ctx.broker(brokerId);
    if (!broker.control.capabilities.remoteControl) continue;
    try {
      if (!signal) {
        await broker.control.broadcast('revoke', args);
        continue;
      }
      const [replies] = await broker.control.inspect([{ method: 'revoke', args }], CELERY_REPLY_TIMEOUT_MS);
      for (const reply of replies?.values() ?? []) for (const id of terminatedIn(reply)) terminated.add(id);
    } catch (error) {
      if (isTriageError(error) && error.code === 'UNAVAILABLE') continue;
      throw error;
    }
  }
  return terminated;
}

/** Celery's `revoke` reply with terminate: `{ok: "terminate: id1, id2"}` or `{ok: "terminate: tasks unknown"}`. */
export function terminatedIn(reply: unknown): string[] {
  const ok = typeof reply === 'object' && reply !== null ? (reply as { ok?: unknown }).ok : undefined;
  if (typeof ok !== 'string' || !ok.startsWith('terminate: ') || ok === 'terminate: tasks unknown') return [];
  return ok
    .slice('terminate: '.length)
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

/** Task records for revoked tasks taken from a queue, so their page says what happened to them. */
async function recordRevokedWaiting(
  ctx: ControlContext,
  broker: string,
  queue: string,
  messages: readonly TransferMessage[],
  records: readonly (TaskRecord | null)[],
  ids: readonly string[],
): Promise<void> {
  const at = new Date().toISOString();
  const known = new Map(ids.map((id, i) => [id, records[i] ?? null]));
  for (const message of messages) {
    if (!message.id) continue;
    const prior = known.get(message.id) ?? null;
    const priority = message.priority ?? message.level;
    const base: TaskRecord = prior ?? { id: message.id, task: message.task ?? 'unknown', broker, queue, priority, state: 'revoked', history: [], updatedAt: at };
    const record: TaskRecord = { ...base, state: 'revoked', history: [...base.history, { state: 'revoked', at }], updatedAt: at };
    await ctx.state.tasks.save(record, [{ type: 'task.revoked', reason: 'revoked', by: ctx.actor.name }]).catch((error: unknown) => {
      ctx.logger?.error({ err: String(error), id: message.id }, 'could not record a revoked task');
    });
  }
}
