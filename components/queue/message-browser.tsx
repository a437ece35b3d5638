'use client';

import { useState } from 'react';
import Link from 'next/link';
import { useMutation } from '@tanstack/react-query';
import { postJson, queuePath } from '@/lib/client/api';
import type { MessageFilters as ApiFilters } from '@/lib/client/query-keys';
import type { Message, MessagePage, Queue } from '@/lib/shared/types';
import { formatCount } from '../format';
import { EmptyPanel, ErrorPanel } from '../state-panels';
import { Button } from '../ui/button';
import { MessageFilters } from './message-filters';
import { MessageTable } from './message-table';
import { RuleFromFilter } from './rule-from-filter';
import { matchOf, type BrowseFilters } from '@/lib/client/queue-selection';
import type { useSelection } from './use-selection';
import type { QueueUrlState } from './use-queue-url';

export const PAGE_SIZE = 50;

/** The API query for the URL's filters: a task-id search rides on the text search (it matches ids). */
export function apiFilters(url: QueueUrlState): ApiFilters {
  return {
    limit: PAGE_SIZE,
    ...(url.cursor ? { cursor: url.cursor } : {}),
    ...(url.priority ? { priority: url.priority } : {}),
    ...(url.task ? { task: url.task } : {}),
    ...(url.id || url.q ? { q: url.id || url.q } : {}),
  };
}

/** Rows to show: an id search keeps exact matches only (the text search also matches ids that merely contain it). */
export function visibleMessages(page: MessagePage | undefined, url: QueueUrlState): Message[] {
  const messages = page?.messages ?? [];
  if (!url.id) return messages;
  const text = url.q.toLowerCase();
  return messages.filter((m) => m.id === url.id && (!text || JSON.stringify([m.task, m.args, m.kwargs]).toLowerCase().includes(text)));
}

type Selection = ReturnType<typeof useSelection>;

function SelectionBar({ queue, filters, selection, pageCount }: { queue: Queue; filters: BrowseFilters; selection: Selection; pageCount: number }) {
  const match = matchOf(filters);
  const count = useMutation({
    mutationFn: () =>
      postJson<{ matched: number }>(queuePath(queue.broker, queue.name, '/reprioritize'), { priority: 0, dryRun: true, ...(match ? { match } : {}) }),
    onSuccess: (result) => selection.selectMatching(match ?? null, result.matched),
  });
  const selected = selection.matching ? selection.matching.count : selection.ids.size;
  if (selected === 0 && pageCount === 0) return null;
  return (
    <div
      data-testid="selection-bar"
      className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md bg-slate-50 px-3 py-2 text-sm dark:bg-slate-800/60"
      aria-live="polite"
    >
      <span data-testid="selection-count">
        {selection.matching
          ? `All ${formatCount(selection.matching.count)} matching messages selected`
          : selected > 0
            ? `${formatCount(selected)} selected`
            : 'Nothing selected'}
      </span>
      {!selection.matching ? (
        match === undefined ? (
          <span className="text-slate-500 dark:text-slate-400">(select-all-matching works with the priority and task filters, not text or id)</span>
        ) : (
          <button type="button" className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400" onClick={() => count.mutate()} disabled={count.isPending}>
            {count.isPending ? 'Counting…' : match ? 'Select all matching this filter' : 'Select all messages in the queue'}
          </button>
        )
      ) : null}
      {selected > 0 ? (
        <button type="button" className="text-slate-600 underline-offset-2 hover:underline dark:text-slate-300" onClick={selection.clear}>
          Clear selection
        </button>
      ) : null}
      {count.error ? (
        <span role="alert" className="text-red-800 dark:text-red-300">
          Cannot count: {count.error.message}
        </span>
      ) : null}
    </div>
  );
}

export function MessageBrowser({
  queue,
  url,
  setUrl,
  page,
  messages,
  selection,
  selectable,
}: {
  queue: Queue;
  url: QueueUrlState;
  setUrl: (updates: Partial<QueueUrlState>, options?: { push?: boolean }) => void;
  page: { data: MessagePage | undefined; error: Error | null; isPending: boolean; isFetching: boolean; refetch: () => unknown };
  messages: Message[];
  selection: Selection;
  selectable: boolean;
}) {
  // Cursors of the pages before this one, for "Previous" (the URL holds only the current one).
  const [previous, setPrevious] = useState<string[]>([]);
  const filters: BrowseFilters = { priority: url.priority, task: url.task, q: url.q, id: url.id };
  const applyFilters = (next: BrowseFilters) => {
    setPrevious([]);
    setUrl({ ...next, cursor: '' });
  };
  return (
    <section aria-labelledby="messages-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="messages-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          Waiting messages, in delivery order
        </h2>
        <Button onClick={() => void page.refetch()} disabled={page.isFetching}>
          {page.isFetching ? 'Refreshing…' : 'Refresh'}
        </Button>
      </div>
      <MessageFilters queue={queue} filters={filters} onApply={applyFilters} />
      <RuleFromFilter queue={queue} filters={filters} />
      {page.data?.requeued ? (
        <p role="status" data-testid="requeued-notice" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-200">
          RabbitMQ cannot show waiting messages without taking them: this read fetched them and put them back, so they are now marked redelivered (their
          order is kept). The list refreshes only when you ask.
        </p>
      ) : null}
      {selectable ? <SelectionBar queue={queue} filters={filters} selection={selection} pageCount={messages.length} /> : null}
      {page.error && !page.data ? (
        <ErrorPanel title="Cannot read the messages" message={page.error.message} onRetry={() => void page.refetch()} />
      ) : page.isPending ? (
        <p className="text-slate-500">Loading messages…</p>
      ) : messages.length === 0 ? (
        <EmptyPanel>
          {url.id ? (
            <>
              No waiting message with id <span className="font-mono">{url.id}</span> in this queue (it may have run already).{' '}
              <Link href={`/tasks/${encodeURIComponent(url.id)}`} className="text-sky-700 underline dark:text-sky-400">
                Open the task page
              </Link>
            </>
          ) : filters.priority || filters.task || filters.q ? (
            'No waiting message matches these filters. Clear them to see the whole queue.'
          ) : (
            'No messages are waiting in this queue. Enqueued tasks appear here until a worker takes them.'
          )}
        </EmptyPanel>
      ) : (
        <MessageTable
          messages={messages}
          queue={queue}
          selected={selection.ids}
          allSelected={selection.matching !== null}
          selectable={selectable}
          onToggle={selection.toggle}
          onTogglePage={selection.togglePage}
        />
      )}
      {page.error && page.data ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          Refresh failed, showing the last read: {page.error.message}
        </p>
      ) : null}
      <nav aria-label="Pages" className="flex items-center gap-2 text-sm">
        <Button
          disabled={!url.cursor}
          onClick={() => {
            setUrl({ cursor: previous.at(-1) ?? '' }, { push: true });
            setPrevious(previous.slice(0, -1));
          }}
        >
          ← Previous
        </Button>
        <Button
          disabled={!page.data?.nextCursor}
          onClick={() => {
            setPrevious([...previous, url.cursor]);
            setUrl({ cursor: page.data?.nextCursor ?? '' }, { push: true });
          }}
        >
          Next →
        </Button>
        {url.cursor ? (
          <button type="button" className="text-sky-700 underline-offset-2 hover:underline dark:text-sky-400" onClick={() => applyFilters(filters)}>
            First page
          </button>
        ) : null}
        <span className="text-slate-500 dark:text-slate-400">{messages.length > 0 ? `${messages.length} on this page` : ''}</span>
      </nav>
    </section>
  );
}
