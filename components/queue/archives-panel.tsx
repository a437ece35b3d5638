'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useSearchParams } from 'next/navigation';
import { useMe } from '@/lib/client/me';
import { useArchives, useControlAction } from '@/lib/client/queue-queries';
import { useNow } from '@/lib/client/use-now';
import type { ArchiveInfo, Queue } from '@/lib/shared/types';
import { formatAge, formatCount } from '../format';
import { Timestamp } from '../time';
import { Button } from '../ui/button';

interface Restored {
  archiveId: string;
  restored: number;
  to: { broker: string; queue: string };
}

/** The URL parameter an audit entry's link sets: which archive to point out. */
export const ARCHIVE_PARAM = 'archive';

export function archiveHref(queuePageHref: string, archiveId: string): string {
  return `${queuePageHref}?${ARCHIVE_PARAM}=${encodeURIComponent(archiveId)}`;
}


function ArchiveRow({
  archive,
  linked,
  canRestore,
  restoring,
  busy,
  now,
  onRestore,
}: {
  archive: ArchiveInfo;
  linked: boolean;
  canRestore: boolean;
  /** This archive is being restored. */
  restoring: boolean;
  /** Some restore is running: one at a time. */
  busy: boolean;
  now: number;
  onRestore: () => void;
}) {
  const row = useRef<HTMLLIElement>(null);
  // An audit entry's link lands here: bring the archive it names into view once.
  useEffect(() => {
    if (linked) row.current?.scrollIntoView({ block: 'center' });
  }, [linked]);
  return (
    <li
      ref={row}
      data-testid="archive-row"
      data-archive-id={archive.id}
      aria-current={linked || undefined}
      className={`flex flex-wrap items-center gap-x-8 gap-y-2 border-t border-slate-200 px-2 py-2 dark:border-slate-800 ${linked ? 'bg-amber-50 dark:bg-amber-950/40' : ''}`}
    >
      <Fact label="Purged">
        <Timestamp at={archive.createdAt} now={now} relative="beside" />
      </Fact>
      <Fact label="By">
        <span data-testid="archive-actor" className="break-all">
          {archive.actor}
        </span>
      </Fact>
      <Fact label="Messages">
        <span data-testid="archive-count" className="font-mono tabular-nums">
          {formatCount(archive.count)}
        </span>
      </Fact>
      <Fact label="Expires">
        {/* `now` ticks every 30 s: never count from before the purge itself. */}
        <span data-testid="archive-expires" title={archive.expiresAt}>
          in {formatAge((Date.parse(archive.expiresAt) - Math.max(now, Date.parse(archive.createdAt))) / 1000)}
        </span>
      </Fact>
      {canRestore ? (
        <Button className="ml-auto" disabled={busy} onClick={onRestore}>
          {restoring ? 'Restoring…' : 'Restore'}
        </Button>
      ) : null}
    </li>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0 text-sm">
      <div className="text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{label}</div>
      <div>{children}</div>
    </div>
  );
}

/**
 * The queue's purges that can still be undone (each archive is kept 24 h), so a purge can be
 * restored after its dialog is closed; admins restore from here. Nothing shows while there
 * are none, unless an audit link names one that is gone.
 */
export function ArchivesPanel({ queue }: { queue: Queue }) {
  const archives = useArchives(queue.broker, queue.name);
  const { can } = useMe();
  const linkedId = useSearchParams().get(ARCHIVE_PARAM);
  const now = useNow(30_000);
  // Held here, not in the row: a restored archive's row leaves the list as soon as it is done.
  const restore = useControlAction<Omit<Restored, 'archiveId'>>(queue.broker, queue.name, { tracked: false });
  const [restoringId, setRestoringId] = useState<string | null>(null);
  const restored: Restored | null = restore.data && restoringId ? { ...restore.data, archiveId: restoringId } : null;
  const list = archives.data?.archives ?? [];
  const linkedGone = linkedId !== null && archives.isSuccess && !list.some((a) => a.id === linkedId) && restoringId !== linkedId;

  if (archives.isError) {
    return (
      <p role="alert" className="text-sm text-red-800 dark:text-red-300">
        Cannot list this queue&apos;s purged messages: {archives.error.message}
      </p>
    );
  }
  if (list.length === 0 && !restored && !restore.error && !linkedGone) return null;

  return (
    <section id="archives" data-testid="archives" aria-labelledby="archives-title" className="space-y-2 rounded-lg border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id="archives-title" className="text-base font-semibold">
        Purged messages you can restore
      </h2>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Each purge keeps its messages for 24 hours. A restore puts them back at their priorities, behind anything enqueued since.
        {can('admin') ? '' : ' Only admins can restore them.'}
      </p>
      {linkedGone ? (
        <p role="status" data-testid="archive-gone" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
          Archive <span className="font-mono break-all">{linkedId}</span> is no longer restorable: it was restored already, or it expired
          (archives are kept 24 hours).
        </p>
      ) : null}
      {restored ? (
        <p role="status" data-testid="archive-restore-result" className="text-sm text-emerald-800 dark:text-emerald-300">
          Restored {formatCount(restored.restored)} to {restored.to.broker}/{restored.to.queue}.
        </p>
      ) : null}
      {restore.error ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          Restore failed: {restore.error.message}
        </p>
      ) : null}
      {list.length > 0 ? (
        <ul aria-label="Restorable purges">
          {list.map((archive) => (
            <ArchiveRow
              key={archive.id}
              archive={archive}
              linked={archive.id === linkedId}
              canRestore={can('admin')}
              restoring={restore.isPending && restoringId === archive.id}
              busy={restore.isPending}
              now={now}
              onRestore={() => {
                setRestoringId(archive.id);
                restore.mutate({ path: `/api/v1/archives/${encodeURIComponent(archive.id)}/restore` });
              }}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
