'use client';

import Link from 'next/link';
import type { AuditEntryInfo } from '@/lib/client/queries';
import { archiveHref } from '../queue/archives-panel';
import { Timestamp } from '../time';
import { queueHref } from '../queue/queue-href';
import { UndoButton } from './undo-button';

const cell = 'px-3 py-2 align-top';
/** How a security log entry's outcome reads (older audit entries with an error were failures). */
const OUTCOME: Record<NonNullable<AuditEntryInfo['kind']>, string> = { failed: 'failed', denied: 'refused', login_failed: 'login refused' };

/** `{"matched":3,"retried":3}` → "matched 3 · retried 3": params and results are small flat objects. */
function describe(value: Record<string, unknown>): string {
  const parts = Object.entries(value ?? {}).map(([key, v]) => `${key} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
  return parts.join(' · ');
}

function errorOf(result: Record<string, unknown>): { code?: string; message?: string } | null {
  const error = result?.error;
  return typeof error === 'object' && error !== null ? (error as { code?: string; message?: string }) : null;
}

function Target({ target }: { target: AuditEntryInfo['target'] }) {
  return (
    <div className="space-y-0.5">
      {target.broker && target.queue ? (
        <Link href={queueHref(target.broker, target.queue)} className="font-mono break-all text-sky-800 hover:underline dark:text-sky-300">
          {target.broker}/{target.queue}
        </Link>
      ) : target.broker ? (
        <span className="font-mono">{target.broker}</span>
      ) : null}
      {target.user ? <div className="font-mono">user {target.user}</div> : null}
      {target.token ? <div className="font-mono">token {target.token}</div> : null}
      {target.task ? (
        <div>
          <Link href={`/tasks/${encodeURIComponent(target.task)}`} className="font-mono text-xs break-all text-sky-800 hover:underline dark:text-sky-300">
            task {target.task}
          </Link>
        </div>
      ) : null}
    </div>
  );
}

/** A purge's archive, where its queue page lists it for restoring (gone after 24 h or a restore). */
function PurgeArchiveLink({ entry, canRestore }: { entry: AuditEntryInfo; canRestore: boolean }) {
  const archiveId = entry.result?.archiveId;
  if (entry.action !== 'purge' || typeof archiveId !== 'string' || !entry.target.broker || !entry.target.queue) return null;
  return (
    <div className="mt-1">
      <Link
        href={archiveHref(queueHref(entry.target.broker, entry.target.queue), archiveId)}
        data-testid="audit-archive-link"
        className="font-medium text-sky-800 underline dark:text-sky-300"
      >
        {canRestore ? 'Restore…' : 'See the archive'}
      </Link>
    </div>
  );
}

export function AuditRow({ entry, now, canRestore = false, canUndo = false }: { entry: AuditEntryInfo; now: number; canRestore?: boolean; canUndo?: boolean }) {
  const error = errorOf(entry.result);
  return (
    <tr data-testid="audit-row" data-action={entry.action} className="border-t border-slate-200 dark:border-slate-800">
      <td className={`${cell} whitespace-nowrap`}>
        <Timestamp at={entry.at} now={now} relative="beside" />
      </td>
      <td className={cell}>
        <div className="font-medium" data-testid="audit-actor">{entry.actor}</div>
        <div className="text-xs text-slate-500 dark:text-slate-400">{entry.role}</div>
      </td>
      <td className={`${cell} font-mono font-semibold`} data-testid="audit-action">{entry.action}</td>
      <td className={cell}>
        <Target target={entry.target} />
      </td>
      <td className={`${cell} max-w-xs font-mono text-xs break-words`}>{describe(entry.params) || '—'}</td>
      <td className={`${cell} max-w-xs text-xs break-words`} data-testid="audit-result">
        {error ? (
          <span className="text-red-700 dark:text-red-400">
            {OUTCOME[entry.kind ?? 'failed']}
            {error.code ? ` (${error.code})` : ''}: {error.message}
          </span>
        ) : (
          <>
            <span className="text-emerald-800 dark:text-emerald-300">ok{describe(entry.result) ? `: ${describe(entry.result)}` : ''}</span>
            <PurgeArchiveLink entry={entry} canRestore={canRestore} />
            {canUndo && entry.kind === undefined ? <UndoButton entry={entry} /> : null}
          </>
        )}
      </td>
    </tr>
  );
}
