import { taskPriorityOf, type ControlProgress, type MessageSelector, type QueueBroker, type TransferMessage } from '@/lib/brokers/types';
import { TriageError } from '@/lib/shared/errors';
import type { ArchiveInfo } from '@/lib/shared/types';
import type { ArchiveMeta } from '@/lib/state/archive';
import type { ControlContext } from './context';
import { assertIdsPresent, runOperation } from './context';
import { selectionParams, selectorOf, type Match } from './schemas';
import { startUndoRecord } from './undo-record';

/**
 * Deletes waiting messages (all, or the selection), keeping them in an archive for 24 h.
 * Each batch is archived before it leaves the queue, so a crash can leave a message in
 * both, never in neither; a message a consumer took first is taken out of the archive
 * again, so the archive holds exactly what was deleted. `confirm` must equal the queue name.
 */
export async function purge(
  ctx: ControlContext,
  input: { broker: string; queue: string; confirm: string; ids?: string[]; match?: Match },
): Promise<{ deleted: number; archiveId: string; operationId: string }> {
  const broker = await ctx.broker(input.broker);
  const selector = selectorOf(input);
  return runOperation(
    ctx,
    { action: 'purge', target: { broker: input.broker, queue: input.queue }, params: selectionParams(input), locks: [{ broker: input.broker, queue: input.queue }] },
    async (progress, _signal, operationId) => {
      if (input.confirm !== input.queue) {
        throw new TriageError('INVALID', `confirm must be exactly the queue name ${JSON.stringify(input.queue)} to purge it`, {
          path: ['confirm'],
        });
      }
      await assertIdsPresent(broker, input.queue, selector);
      const archived = await archiveSelection(ctx, broker, input.queue, selector, progress, (archiveId) =>
        startUndoRecord(ctx, operationId, { action: 'purge', from: { broker: input.broker, queue: input.queue }, to: null, archiveId }).then(() => {}),
      );
      return { deleted: archived.moved, archiveId: archived.archiveId };
    },
  );
}

/**
 * Takes the selection out of `queue` into a new archive (purge's undo, also used by revoke),
 * each batch archived before it leaves the queue; `messages` are those archived. `created`
 * hears the archive's id before anything leaves the queue. The caller holds the queue's lock.
 */
export async function archiveSelection(
  ctx: Pick<ControlContext, 'state' | 'actor'>,
  broker: QueueBroker,
  queue: string,
  selector: MessageSelector,
  progress?: (p: ControlProgress) => void,
  created?: (archiveId: string) => Promise<void>,
): Promise<{ archiveId: string; moved: number; messages: TransferMessage[] }> {
  // Unknown queues fail here, before an archive is created.
  await broker.control.memberQueues(queue);
  const store = ctx.state.archives;
  const archive = await store.create({ broker: broker.id, queue, by: ctx.actor.name });
  await created?.(archive.id);
  const messages: TransferMessage[] = [];
  const result = await broker.control.extract(
    queue,
    selector,
    {
      write: async (batch) => {
        await store.append(archive.id, batch);
        messages.push(...batch);
      },
      unwritten: async (batch) => {
        await store.drop(archive.id, batch);
        const gone = new Set(batch.map((m) => m.id));
        messages.splice(0, messages.length, ...messages.filter((m) => !gone.has(m.id)));
      },
    },
    progress ? { onProgress: progress } : undefined,
  );
  return { archiveId: archive.id, moved: result.moved, messages };
}

/**
 * A queue's purges that can still be undone, newest first. The broker must be known (404
 * otherwise); a queue never purged simply has none.
 */
export async function listArchives(ctx: ControlContext, input: { broker: string; queue: string }): Promise<{ archives: ArchiveInfo[] }> {
  await ctx.broker(input.broker);
  const listed = await ctx.state.archives.listFor(input.broker, input.queue);
  return {
    archives: listed.map((a) => ({ id: a.id, broker: a.broker, queue: a.queue, createdAt: a.at, actor: a.by, count: a.count, expiresAt: a.expiresAt })),
  };
}

const RESTORE_BATCH = 500;
// Longer than any restore of a 24 h archive should take; released at the end anyway.
const RESTORE_LOCK_MS = 10 * 60_000;

/**
 * Puts an archive's messages back into the queue they were purged from, each at its own
 * priority, in their original order: on Redis ahead of anything enqueued since (the
 * archive is walked newest batch first, each fronted), on RabbitMQ, which only appends,
 * behind it. Batches are removed from the archive only after the queue has them: a crash
 * may duplicate a batch on the next restore, never lose one. The archive is gone afterwards.
 */
export async function restoreArchive(
  ctx: ControlContext,
  input: { archiveId: string },
): Promise<{ restored: number; to: { broker: string; queue: string }; operationId: string }> {
  const store = ctx.state.archives;
  const meta = await store.meta(input.archiveId);
  if (!meta) throw new TriageError('NOT_FOUND', `archive ${input.archiveId} does not exist (archives are kept 24 h, and restored once)`);
  const to = { broker: meta.broker, queue: meta.queue };
  return runOperation(ctx, { action: 'archive.restore', target: to, params: { archiveId: meta.id } }, async (progress) => ({
    restored: await putArchiveBack(ctx, meta, progress),
    to,
  }));
}

/**
 * restoreArchive's work, also undo's for a purge or delete: puts the archive back and
 * removes it; returns how many went back. CONFLICT while another restore of it runs.
 */
export async function putArchiveBack(ctx: ControlContext, meta: ArchiveMeta, progress: (p: ControlProgress) => void): Promise<number> {
  const store = ctx.state.archives;
  const broker = await ctx.broker(meta.broker);
  if (!(await store.lock(meta.id, RESTORE_LOCK_MS))) {
    throw new TriageError('CONFLICT', `archive ${meta.id} is being restored right now`);
  }
  try {
    await broker.control.prepareTarget(meta.queue, { create: true });
    const front = broker.control.capabilities.frontInsert;
    let restored = 0;
    for (;;) {
      const batch = front ? await store.tail<TransferMessage>(meta.id, RESTORE_BATCH) : await store.head<TransferMessage>(meta.id, RESTORE_BATCH);
      if (batch.length === 0) break;
      // Put back to run: a task revoked while it waited (revoke.ts archives it) is un-revoked
      // first, or a worker would take it and drop it as revoked at once.
      await ctx.state.revokes.forget(batch.flatMap((message) => (message.id ? [message.id] : [])));
      restored += await broker.control.putMessages(
        meta.queue,
        batch.map((message) => ({ message, priority: taskPriorityOf(message) })),
        front ? 'front' : 'back',
      );
      if (front) await store.pop(meta.id, batch.length);
      else await store.shift(meta.id, batch.length);
      progress({ scanned: restored, matched: restored, moved: restored });
    }
    await store.remove(meta.id);
    return restored;
  } finally {
    await store.unlock(meta.id);
  }
}
