import { taskPriorityOf, type ControlProgress, type QueueBroker } from '@/lib/brokers/types';
import { TriageError } from '@/lib/shared/errors';
import type { UndoCounts } from '@/lib/shared/undo';
import type { UndoItem, UndoMeta } from '@/lib/state/undo-records';
import type { ControlContext } from './context';
import { runOperation } from './context';
import { putArchiveBack } from './purge';
import { transfer } from './transfer';
import { UNDOABLE } from './undo-record';

export type UndoResult = UndoCounts;

const WHY_NOT: Record<string, string> = {
  enqueue: 'an enqueue sent new tasks; revoke them instead',
  pause: 'a pause changed no message; resume the queue instead',
  resume: 'a resume changed no message; pause the queue instead',
  restore: 'a restore put parked messages back; drain the queue again instead',
  'archive.restore': 'a restore put purged messages back; purge them again instead',
  retry: 'a retry sent new copies of tasks; revoke them instead',
  revoke: 'a revoke is undone by restoring its archive from the queue page',
  undo: 'an undo is not undone; repeat the original action instead',
};

// Longer than any undo of a 24 h record should take; released at the end anyway.
const UNDO_LOCK_MS = 10 * 60_000;

/**
 * Puts back what one audited control action (reprioritize, move, drain, delete, purge)
 * changed, by its audit entry id (or, for an operation killed before its entry was written,
 * by its operation id): the recorded messages still waiting where it put them return to
 * their queue at the priority each had, in their recorded order within a priority; those
 * it archived come back from the archive. Messages taken by workers since are counted, not
 * invented. Once only: a second undo, or one while another runs, is a 409 that changes nothing.
 */
export async function undo(ctx: ControlContext, input: { id: string; dryRun?: boolean }): Promise<UndoResult & { operationId: string }> {
  const meta = await recordOf(ctx, input.id);
  const done = await ctx.state.undo.done(meta.operationId);
  if (done) throw new TriageError('CONFLICT', `this ${meta.action} was already undone at ${done.at} by ${done.by} (${done.restored} restored); nothing was changed`);
  const from = meta.from;
  const at = meta.to ?? meta.from;
  const locks = at.broker === from.broker && at.queue === from.queue ? [from] : [at, from];
  return runOperation(
    ctx,
    {
      action: input.dryRun ? 'undo.preview' : 'undo',
      target: from,
      params: { entry: input.id, operationId: meta.operationId, of: meta.action, ...(input.dryRun ? { dryRun: true } : {}) },
      locks: input.dryRun ? [] : locks,
      preview: input.dryRun,
    },
    async (progress) => {
      if (input.dryRun) return (await count(ctx, meta)).result;
      if (!(await ctx.state.undo.lock(meta.operationId, UNDO_LOCK_MS))) throw new TriageError('CONFLICT', `this ${meta.action} is being undone right now`);
      try {
        const again = await ctx.state.undo.done(meta.operationId);
        if (again) throw new TriageError('CONFLICT', `this ${meta.action} was already undone at ${again.at} by ${again.by}; nothing was changed`);
        const result = await putBack(ctx, meta, progress);
        await ctx.state.undo.markDone(meta.operationId, { at: new Date().toISOString(), by: ctx.actor.name, restored: result.restored });
        return result;
      } finally {
        await ctx.state.undo.unlock(meta.operationId);
      }
    },
  );
}

/** The undo record behind an audit entry (or an operation id), or the 4xx saying why there is none. */
async function recordOf(ctx: ControlContext, id: string): Promise<UndoMeta> {
  const entry = await ctx.state.audit.get(id);
  if (entry) {
    if (!UNDOABLE.has(entry.action)) {
      const why = WHY_NOT[entry.action] ?? 'it did not move waiting messages';
      throw new TriageError('UNPROCESSABLE', `a ${entry.action} cannot be undone: ${why}`, { action: entry.action });
    }
    const operationId = typeof entry.result.operationId === 'string' ? entry.result.operationId : null;
    const meta = operationId ? await ctx.state.undo.meta(operationId) : null;
    if (!meta) throw new TriageError('UNPROCESSABLE', `this ${entry.action} left no undo record (made before undo existed, or older than 24 h)`, { action: entry.action });
    return meta;
  }
  const meta = await ctx.state.undo.meta(id);
  if (!meta) throw new TriageError('NOT_FOUND', `no audit entry or operation ${id} with an undo record (records are kept 24 h)`);
  return meta;
}

/** Which recorded messages are still where the action put them. */
async function count(ctx: ControlContext, meta: UndoMeta): Promise<{ result: UndoResult; present: UndoItem[] }> {
  if (meta.archiveId) {
    const archive = await ctx.state.archives.meta(meta.archiveId);
    const restorable = archive ? await ctx.state.archives.size(meta.archiveId) : 0;
    return { result: { restorable, restored: 0, alreadyRun: 0 }, present: [] };
  }
  const items = await ctx.state.undo.items(meta.operationId);
  if (items.length === 0 || !meta.to) return { result: { restorable: 0, restored: 0, alreadyRun: items.length }, present: [] };
  const source = await ctx.broker(meta.to.broker);
  const found = await source.control.extract(meta.to.queue, { ids: items.map((i) => i.id) }, null, { dryRun: true });
  const ids = new Set(found.foundIds ?? []);
  const present = items.filter((i) => ids.has(i.id));
  return { result: { restorable: present.length, restored: 0, alreadyRun: items.length - present.length }, present };
}

async function putBack(ctx: ControlContext, meta: UndoMeta, progress: (p: ControlProgress) => void): Promise<UndoResult> {
  if (meta.archiveId) {
    const archive = await ctx.state.archives.meta(meta.archiveId);
    if (!archive) throw new TriageError('CONFLICT', `the archive of this ${meta.action} was already restored (or has expired); nothing was changed`);
    const restorable = await ctx.state.archives.size(archive.id);
    const restored = await putArchiveBack(ctx, archive, progress);
    return { restorable, restored, alreadyRun: 0 };
  }
  const items = await ctx.state.undo.items(meta.operationId);
  const to = meta.to!;
  const source = await ctx.broker(to.broker);
  const target = await ctx.broker(meta.from.broker);
  if (items.length === 0) return { restorable: 0, restored: 0, alreadyRun: 0 };
  const front = await drainedFront(meta, items, source, target);
  if (front) return front;
  const former = new Map(items.map((i) => [i.id, i.priority]));
  const selector = { ids: items.map((i) => i.id) };
  // Same broker: one relocation, each message to its former priority (atomic on Redis; on
  // RabbitMQ through its holding queue, so a pass never re-reads what it put back).
  // Across brokers: read, publish at the former priority, then remove (at-least-once).
  const result =
    source.id === target.id
      ? await source.control.relocate(to.queue, selector, { queue: meta.from.queue, priority: null, priorities: former }, { onProgress: progress })
      : await source.control.extract(
          to.queue,
          selector,
          {
            write: async (batch) => {
              await target.control.putMessages(
                meta.from.queue,
                batch.map((message) => ({ message, priority: former.get(message.id ?? '') ?? taskPriorityOf(message) })),
              );
            },
          },
          { onProgress: progress },
        );
  const restorable = result.matched;
  const restored = result.moved;
  return { restorable, restored, alreadyRun: items.length - restored };
}

/**
 * A drain whose parking queue still holds exactly what it parked goes back like a restore
 * of the drain (restoreDrained): whole, ahead of what arrived meanwhile, in its original
 * order, where the broker can put messages at the front. Null otherwise.
 */
async function drainedFront(meta: UndoMeta, items: readonly UndoItem[], source: QueueBroker, target: QueueBroker): Promise<UndoCounts | null> {
  if (meta.action !== 'drain' || source.id !== target.id || !source.control.capabilities.frontInsert || !source.control.capabilities.nonDestructiveScan) return null;
  const parked = meta.to!.queue;
  const depth = (await source.getQueue(parked))?.depth ?? 0;
  const found = await source.control.extract(parked, { ids: items.map((i) => i.id) }, null, { dryRun: true });
  if (depth === 0 || found.matched !== depth) return null;
  const result = await transfer({ broker: source, queue: parked }, { broker: target, queue: meta.from.queue }, {}, null, { at: 'front' });
  return { restorable: found.matched, restored: result.moved, alreadyRun: items.length - result.moved };
}
