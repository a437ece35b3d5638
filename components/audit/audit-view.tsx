'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useAudit, type AuditFilters } from '@/lib/client/queries';
import { useNow } from '@/lib/client/use-now';
import { disabledLook } from '../button-look';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { AuditRow } from './audit-row';

const head = 'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';
const input = 'w-40 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900';
const FIELDS = ['action', 'actor', 'broker', 'queue'] as const;
/** Audited actions (lib/control): offered as suggestions; any text is accepted. */
const ACTIONS = ['reprioritize', 'move', 'drain', 'restore', 'purge', 'archive.restore', 'delete', 'pause', 'resume', 'retry'];

function Filters({ filters, onApply }: { filters: AuditFilters; onApply: (f: AuditFilters) => void }) {
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label="Filter the audit log"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        onApply(Object.fromEntries(FIELDS.map((f) => [f, String(data.get(f) ?? '').trim() || undefined])));
      }}
    >
      {FIELDS.map((field) => (
        <label key={field} className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-400">
          {field}
          <input
            name={field}
            defaultValue={filters[field] ?? ''}
            list={field === 'action' ? 'audit-actions' : undefined}
            className={input}
            placeholder="any"
          />
        </label>
      ))}
      <datalist id="audit-actions">
        {ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <button type="submit" className="rounded-md bg-slate-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 dark:bg-slate-200 dark:text-slate-900">
        Filter
      </button>
      {FIELDS.some((f) => filters[f]) ? (
        <button type="button" className="py-1.5 text-sm text-sky-800 underline dark:text-sky-300" onClick={() => onApply({})}>
          Clear
        </button>
      ) : null}
    </form>
  );
}

/** The audit log, newest first, with its filters in the URL so a link reopens the same view. */
export function AuditView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters: AuditFilters = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) || undefined]));
  const audit = useAudit(filters);
  const now = useNow(5_000);
  const apply = (next: AuditFilters) => {
    const search = new URLSearchParams();
    for (const f of FIELDS) if (next[f]) search.set(f, next[f]);
    router.replace(`${pathname}${search.size ? `?${search.toString()}` : ''}`);
  };
  const entries = audit.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <div className="space-y-4">
      {/* key: a new URL resets the form's fields to its filters. */}
      <Filters key={params.toString()} filters={filters} onApply={apply} />
      {audit.isPending ? (
        <p className="text-slate-500">Loading the audit log…</p>
      ) : audit.isError && !audit.data ? (
        <ErrorPanel title="Cannot read the audit log" message={audit.error.message} onRetry={() => void audit.refetch()} />
      ) : entries.length === 0 && !audit.hasNextPage ? (
        <EmptyPanel>No audited actions{FIELDS.some((f) => filters[f]) ? ' match these filters' : ' yet'}.</EmptyPanel>
      ) : (
        <>
          <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table className="w-full text-sm" data-testid="audit-table">
              <thead className="bg-slate-50 dark:bg-slate-900/60">
                <tr>
                  <th scope="col" className={head}>Time</th>
                  <th scope="col" className={head}>Actor</th>
                  <th scope="col" className={head}>Action</th>
                  <th scope="col" className={head}>Target</th>
                  <th scope="col" className={head}>Params</th>
                  <th scope="col" className={head}>Result</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <AuditRow key={entry.id} entry={entry} now={now} />
                ))}
              </tbody>
            </table>
          </div>
          {audit.hasNextPage ? (
            <button
              type="button"
              disabled={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
              className={`rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium enabled:hover:bg-slate-100 dark:border-slate-700 dark:enabled:hover:bg-slate-800 ${disabledLook}`}
            >
              {audit.isFetchingNextPage ? 'Loading…' : 'Older entries'}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}
