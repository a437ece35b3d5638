import { z } from 'zod';
import type { MessageSelector, QueueBroker, TransferMessage } from '@/lib/brokers/types';
import { TriageError, isTriageError } from '@/lib/shared/errors';
import { QueueNameSchema } from '@/lib/shared/names';
import { REVOKE_SIGNALS, type RevokeArchive, type RevokeResult, type RevokeSignal } from '@/lib/shared/revoke';
import { TaskFilterSchema, isEmptyFilter } from '@/lib/shared/task-filter';
import { FINAL_TASK_STATES, type TaskRecord } from '@/lib/shared/task-record';
import { audited, runOperation, type ControlContext } from './context';
import { stopPreviews } from './previews';
import { archiveSelection } from './purge';
import { auditedFilter, revocableMatching } from './revoke-filter';
import { locateWaiting } from './revoke-locate';
import { IdsSchema, MatchFieldsSchema, auditedIds, selectorOf } from './schemas';

/**
 * Revoke and terminate (issue 19 §3), for Triage's workers and real Celery workers alike:
 * - every revoked id goes to the RevokeStore, which Triage's workers check before running a
 *   delivery and watch while running one (lib/worker/revokes.ts), for the task retention period;
 * - Celery workers get `revoke` by remote control on every broker, so one that reserved the
 *   task skips it and, with `terminate`, one running it kills it with `signal`;
 * - a task still waiting in a queue is taken out of it into an archive, restorable like a
 *   purge (a restore un-revokes it for Triage's workers).
 * Counts are of what this call did: an id revoked (or asked to terminate) already, by an
 * earlier or a concurrent call, is counted in `alreadyRevoked`, not again in `revoked` or
 * `terminated` (RevokeStore.revoke tells the first call apart).
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

/** The explorer's filter (the query of `GET /api/v1/tasks`, as an object), never empty. */
const RevokeFilterSchema = TaskFilterSchema.refine((filter) => !isEmptyFilter(filter), {
  error: 'filter is empty: give at least one of state, task, queue, broker, worker, priority, since, until, q, id (an empty filter would select every task)',
});

const SELECTIONS = ['ids', 'match', 'filter'] as const;

export const RevokeBodySchema = z
  .object({ ids: IdsSchema.optional(), match: RevokeMatchSchema.optional(), filter: RevokeFilterSchema.optional(), ...terminateFields, dryRun: z.boolean().optional() })
  .strict()
  .refine((b) => SELECTIONS.filter((key) => b[key] !== undefined).length === 1, {
    error:
      'give exactly one of ids (task ids to revoke), match ({broker, queue, task?, priorities?}: waiting tasks of a queue) or filter (the task explorer\'s filter: {state?, task?, queue?, …})',
    path: ['ids'],
  })
  .refine(signalNeedsTerminate, SIGNAL_NEEDS_TERMINATE);

export type RevokeBody = z.infer<typeof RevokeBodySchema>;

// Replies to `revoke` come as soon as every worker answered; the limit is for a busy one.
const CELERY_REPLY_TIMEOUT_MS = 2000;

/** `POST /api/v1/tasks/{id}/revoke`. */
export async function revokeTask(ctx: ControlContext, input: { id: string; terminate?: boolean; signal?: RevokeSignal }): Promise<RevokeResult> {
  return revokeIds(ctx, { ids: [input.id], terminate: input.terminate, signal: input.signal }, { task: input.id }, {});
}

/** `POST /api/v1/tasks/revoke`: by ids (anywhere), a match on one queue's waiting tasks, or the explorer's filter. */
export async function revokeTasks(ctx: ControlContext, body: RevokeBody, target: { task?: string } = {}): Promise<RevokeResult> {
  if (body.match) return revokeMatching(ctx, body.match, body.dryRun === true);
  if (body.filter) {
    const { ids, capped } = await revocableMatching(ctx.state.taskIndex, body.filter);
    const cap = capped ? { capped: true as const } : {};
    if (body.dryRun || ids.length === 0) return { matched: ids.length, revoked: 0, terminated: 0, archives: [], ...(body.dryRun ? { dryRun: true as const } : {}), ...cap };
    const result = await revokeIds(ctx, { ...body, ids }, target, { filter: auditedFilter(body.filter), ...cap });
    return { ...result, ...cap };
  }
  return revokeIds(ctx, { ...body, ids: body.ids ?? [] }, target, {});
}

async function revokeIds(
  ctx: ControlContext,
  body: Omit<RevokeBody, 'ids'> & { ids: string[] },
  target: { task?: string },
  selection: Record<string, unknown>,
): Promise<RevokeResult> {
  const signal = body.terminate ? (body.signal ?? 'SIGTERM') : undefined;
  const ids = [...new Set(body.ids)];
  const records = await Promise.all(ids.map((id) => ctx.state.tasks.get(id).catch(() => null)));
  const waiting = await locateWaiting(ctx, ids, records);
  const waitingIds = new Set([...waiting.values()].flatMap((w) => w.ids));
  const matched = ids.filter((id, i) => records[i] || waitingIds.has(id)).length;
  if (body.dryRun) return { matched, revoked: 0, terminated: 0, archives: [], dryRun: true };
  const params = { ...selection, ids: auditedIds(ids), ...(signal ? { terminate: true, signal } : {}) };
  return audited(
    ctx,
    { action: 'revoke', target, params },
    async () => {
      // Stored before anything else: a Triage worker taking the task meanwhile skips it.
      const fresh = await ctx.state.revokes.revoke(ids, { terminate: signal });
      const celeryTerminated = await tellCelery(ctx, ids, signal);
      const archives: RevokeArchive[] = [];
      for (const { broker, queue, ids: here } of waiting.values()) {
        const archived = await archiveLocked(ctx, broker, queue, { ids: here });
        if (archived) archives.push(archived.archive);
        if (archived) await recordRevokedWaiting(ctx, broker.id, queue, archived.messages, records, ids);
      }
      const terminated = signal ? ids.filter((id, i) => (records[i]?.state === 'active' && fresh.terminating.has(id)) || celeryTerminated.has(id)).length : 0;
      const notFinal = ids.filter((_, i) => !records[i] || !FINAL_TASK_STATES.includes(records[i].state));
      const revoked = notFinal.filter((id) => fresh.added.has(id) || (signal !== undefined && fresh.terminating.has(id))).length;
      const alreadyRevoked = notFinal.length - revoked;
      return { matched, revoked, terminated, archives, ...(alreadyRevoked > 0 ? { alreadyRevoked } : {}) };
    },
    (r) => ({ matched: r.matched, revoked: r.revoked, terminated: r.terminated, ...(r.alreadyRevoked ? { alreadyRevoked: r.alreadyRevoked } : {}), archives: r.archives.map((a) => a.archiveId) }),
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
  // All brokers at once: each may wait for its workers' replies (and RabbitMQ first asks its
  // management API how many there are, which can take seconds on a busy node).
  await Promise.all(
    ctx.brokerIds.map(async (brokerId) => {
      try {
        const broker = await ctx.broker(brokerId);
        if (!broker.control.capabilities.remoteControl) return;
        if (!signal) {
          await broker.control.broadcast('revoke', args);
          return;
        }
        const [replies] = await broker.control.inspect([{ method: 'revoke', args }], CELERY_REPLY_TIMEOUT_MS);
        for (const reply of replies?.values() ?? []) for (const id of terminatedIn(reply)) terminated.add(id);
      } catch (error) {
        if (isTriageError(error) && error.code === 'UNAVAILABLE') return;
        throw error;
      }
    }),
  );
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
