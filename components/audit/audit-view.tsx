'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMe } from '@/lib/client/me';
import { useAudit, type AuditFilters, type AuditLogName } from '@/lib/client/queries';
import { useNow } from '@/lib/client/use-now';
import { RoleGate } from '../role-gate';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { Button } from '../ui/button';
import { Input } from '../ui/input';
import { AuditRow } from './audit-row';

const head = 'px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400';
type Field = keyof AuditFilters;
const AUDIT_FIELDS: Field[] = ['action', 'actor', 'broker', 'queue'];
const SECURITY_FIELDS: Field[] = ['kind', ...AUDIT_FIELDS];
/** Audited actions (lib/control, users, tokens): offered as suggestions; any text is accepted. */
const ACTIONS = [
  'enqueue', 'reprioritize', 'move', 'drain', 'restore', 'purge', 'archive.restore', 'delete', 'pause', 'resume', 'retry',
  'user.create', 'user.update', 'user.remove', 'token.create', 'token.revoke', 'login',
];
const KINDS = ['failed', 'denied', 'login_failed'];
const tab = 'rounded-t-md border-b-2 px-3 py-1.5 text-sm font-medium';
const activeTab = 'border-sky-700 text-sky-800 dark:border-sky-300 dark:text-sky-300';
const idleTab = 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100';

/** Audit log (what changed) and, for admins, the security log (failures, refusals, failed logins). */
function LogTabs({ log }: { log: AuditLogName }) {
  const link = (name: AuditLogName, label: string) => (
    <Link href={name === 'security' ? '/audit?log=security' : '/audit'} aria-current={log === name ? 'page' : undefined} className={`${tab} ${log === name ? activeTab : idleTab}`}>
      {label}
    </Link>
  );
  return (
    <RoleGate role="admin">
      <nav aria-label="Logs" className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
        {link('audit', 'Changes')}
        {link('security', 'Security')}
      </nav>
    </RoleGate>
  );
}

function Filters({ filters, fields, onApply }: { filters: AuditFilters; fields: Field[]; onApply: (f: AuditFilters) => void }) {
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label="Filter the log"
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        onApply(Object.fromEntries(fields.map((f) => [f, String(data.get(f) ?? '').trim() || undefined])));
      }}
    >
      {fields.map((field) => (
        <label key={field} className="flex flex-col gap-1 text-xs font-medium text-slate-600 dark:text-slate-400">
          {field}
          <Input
            name={field}
            defaultValue={filters[field] ?? ''}
            list={field === 'action' ? 'audit-actions' : field === 'kind' ? 'audit-kinds' : undefined}
            className="w-40"
            placeholder="any"
          />
        </label>
      ))}
      <datalist id="audit-actions">
        {ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <datalist id="audit-kinds">
        {KINDS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <Button type="submit" variant="primary">
        Filter
      </Button>
      {fields.some((f) => filters[f]) ? (
        <button type="button" className="py-1.5 text-sm text-sky-800 underline dark:text-sky-300" onClick={() => onApply({})}>
          Clear
        </button>
      ) : null}
    </form>
  );
}

/** The audit log (or the security log), newest first, with the log and its filters in the URL so a link reopens the same view. */
export function AuditView() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const log: AuditLogName = params.get('log') === 'security' ? 'security' : 'audit';
  const fields = log === 'security' ? SECURITY_FIELDS : AUDIT_FIELDS;
  const filters: AuditFilters = Object.fromEntries(fields.map((f) => [f, params.get(f) || undefined]));
  const audit = useAudit(filters, log);
  const now = useNow(5_000);
  const { can } = useMe();
  const apply = (next: AuditFilters) => {
    const search = new URLSearchParams();
    if (log === 'security') search.set('log', log);
    for (const f of fields) if (next[f]) search.set(f, next[f]);
    router.replace(`${pathname}${search.size ? `?${search.toString()}` : ''}`);
  };
  const entries = audit.data?.pages.flatMap((p) => p.entries) ?? [];
  return (
    <div className="space-y-4">
      {/* key: a new URL resets the form's fields to its filters. */}
      <LogTabs log={log} />
      <Filters key={params.toString()} filters={filters} fields={fields} onApply={apply} />
      {audit.isPending ? (
        <p className="text-slate-500">Loading the {log === 'security' ? 'security' : 'audit'} log…</p>
      ) : audit.isError && !audit.data ? (
        <ErrorPanel title={`Cannot read the ${log === 'security' ? 'security' : 'audit'} log`} message={audit.error.message} onRetry={() => void audit.refetch()} />
      ) : entries.length === 0 && !audit.hasNextPage ? (
        <EmptyPanel>
          {log === 'security' ? 'No failed actions, refused requests or failed logins' : 'No audited actions'}
          {fields.some((f) => filters[f]) ? ' match these filters' : ' yet'}.
        </EmptyPanel>
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
                  <AuditRow key={entry.id} entry={entry} now={now} canRestore={can('admin')} canUndo={log === 'audit' && can('operator')} />
                ))}
              </tbody>
            </table>
          </div>
          {audit.hasNextPage ? (
            <Button
              disabled={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
            >
              {audit.isFetchingNextPage ? 'Loading…' : 'Older entries'}
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
