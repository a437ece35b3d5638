'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useSearch } from '@/lib/client/search';
import { MIN_SEARCH_PREFIX } from '@/lib/shared/search';
import { formatCount } from './format';
import { PRIORITY_BADGE, priorityBg } from './priority-colors';
import { EmptyPanel, ErrorPanel } from './state-panels';

const linkClass = 'text-sky-700 underline-offset-2 hover:underline dark:text-sky-400';

function ResultSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" aria-labelledby={id}>
      <h2 id={id} className="border-b border-slate-200 px-4 py-2 font-semibold dark:border-slate-800">
        {title}
      </h2>
      <ul className="divide-y divide-slate-200 dark:divide-slate-800">{children}</ul>
    </section>
  );
}

/**
 * The header search's answers: task records and messages still waiting whose id starts with
 * `?q=`. A query that is exactly a known task's id opens that task's page instead.
 */
export function SearchResults() {
  const router = useRouter();
  const q = (useSearchParams().get('q') ?? '').trim();
  const search = useSearch(q);
  const exact = search.data?.tasks.find((t) => t.id === q);

  useEffect(() => {
    if (exact) router.replace(`/tasks/${encodeURIComponent(exact.id)}`);
  }, [exact, router]);

  if (q.length < MIN_SEARCH_PREFIX) {
    return <EmptyPanel>Type a task id, or at least its first {MIN_SEARCH_PREFIX} characters, in the search box above (press /).</EmptyPanel>;
  }
  if (search.error) return <ErrorPanel title="The search failed" message={search.error.message} onRetry={() => void search.refetch()} />;
  if (search.isPending || exact) {
    return (
      <p role="status" className="text-slate-500" data-testid="search-pending">
        Searching task records and waiting messages for <span className="font-mono">{q}</span>…
      </p>
    );
  }
  const { tasks, waiting, incomplete, unavailable } = search.data;
  return (
    <div className="space-y-4" data-testid="search-results">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Ids starting with <span className="font-mono font-semibold break-all">{q}</span>
      </p>
      {tasks.length === 0 && waiting.length === 0 ? (
        <div data-testid="search-empty">
          <EmptyPanel>
            No task a worker has seen and no waiting message has an id starting with <span className="font-mono break-all">{q}</span>. Check the id, or
            look in the <Link href="/dead-letters" className={linkClass}>dead letters</Link>.
          </EmptyPanel>
        </div>
      ) : null}
      {waiting.length > 0 ? (
        <ResultSection id="search-waiting" title="Waiting in a queue">
            {waiting.map((hit) => (
              <li key={`${hit.broker}/${hit.queue}/${hit.id}/${hit.position}`} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3" data-testid="search-waiting">
                <span className={`${PRIORITY_BADGE} ${priorityBg(hit.priority)}`}>
                  P{hit.priority}
                </span>
                <Link
                  href={`/queues/${encodeURIComponent(hit.broker)}/${encodeURIComponent(hit.queue)}?id=${encodeURIComponent(hit.id)}`}
                  className={`${linkClass} min-w-0 font-mono text-sm break-all`}
                  data-testid="search-waiting-id"
                >
                  {hit.id}
                </Link>
                <span className="min-w-0 font-mono text-sm break-all text-slate-600 dark:text-slate-400">{hit.task ?? 'undecodable'}</span>
                <span className="text-sm" data-testid="search-waiting-where">
                  waiting in {hit.broker}/{hit.queue}, position {formatCount(hit.position)}
                </span>
              </li>
            ))}
        </ResultSection>
      ) : null}
      {tasks.length > 0 ? (
        <ResultSection id="search-tasks" title="Seen by a worker">
            {tasks.map((task) => (
              <li key={task.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3" data-testid="search-task">
                <Link href={`/tasks/${encodeURIComponent(task.id)}`} className={`${linkClass} min-w-0 font-mono text-sm break-all`}>
                  {task.id}
                </Link>
                <span className="min-w-0 font-mono text-sm break-all text-slate-600 dark:text-slate-400">{task.task}</span>
                <span className="text-sm">
                  {task.state} · {task.broker}/{task.queue}
                </span>
              </li>
            ))}
        </ResultSection>
      ) : null}
      {incomplete.length > 0 || unavailable.length > 0 ? (
        <ul className="space-y-1 text-sm text-amber-800 dark:text-amber-300" data-testid="search-limits">
          {incomplete.map((i) => (
            <li key={`${i.broker}/${i.queue}`}>
              {i.scanned > 0
                ? `${i.broker}/${i.queue}: only its first ${formatCount(i.scanned)} messages were searched.`
                : `${i.broker}/${i.queue}: not searched (the search stopped at its limit).`}
            </li>
          ))}
          {unavailable.map((u) => (
            <li key={u.broker}>
              {u.broker}: could not be searched ({u.error}).
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
