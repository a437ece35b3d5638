'use client';

import { useQuery } from '@tanstack/react-query';
import { getJson, queuePath } from '@/lib/client/api';
import { LIVE_REFRESH_MS } from '@/lib/client/queries';
import { queryKeys } from '@/lib/client/query-keys';
import type { MessagePage } from '@/lib/shared/types';
import { EmptyPanel, ErrorPanel } from './state-panels';

const LIMIT = 50;

/** Task arguments as JSON text: React escapes it, so markup in an argument shows as text. */
function argsText(args: unknown, kwargs: unknown): string {
  const parts = [JSON.stringify(args ?? [])];
  if (kwargs && typeof kwargs === 'object' && Object.keys(kwargs).length > 0) parts.push(JSON.stringify(kwargs));
  return parts.join(' ');
}

/** The first waiting messages of a queue (optionally of one task name), in delivery order (read-only). */
export function MessageList({ broker, queue, task }: { broker: string; queue: string; task?: string }) {
  const filters = { limit: LIMIT, ...(task ? { task } : {}) };
  const search = new URLSearchParams({ limit: String(LIMIT), ...(task ? { task } : {}) });
  const messages = useQuery({
    queryKey: queryKeys.messages(broker, queue, filters),
    queryFn: ({ signal }) => getJson<MessagePage>(`${queuePath(broker, queue, '/messages')}?${search.toString()}`, signal),
    refetchInterval: LIVE_REFRESH_MS,
  });
  if (messages.isError) {
    return <ErrorPanel title="Cannot read the messages" message={messages.error.message} onRetry={() => void messages.refetch()} />;
  }
  if (messages.isPending) return <p className="text-slate-500">Loading messages…</p>;
  if (messages.data.messages.length === 0) {
    return <EmptyPanel>No messages are waiting in this queue. Enqueued tasks appear here until a worker takes them.</EmptyPanel>;
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
      <table className="w-full text-left text-sm" data-testid="message-list">
        <caption className="sr-only">First {LIMIT} waiting messages, in delivery order</caption>
        <thead className="bg-slate-50 text-xs uppercase text-slate-600 dark:bg-slate-900 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-3 py-2">Priority</th>
            <th scope="col" className="px-3 py-2">Task</th>
            <th scope="col" className="px-3 py-2">Arguments</th>
            <th scope="col" className="px-3 py-2">ID</th>
          </tr>
        </thead>
        <tbody>
          {messages.data.messages.map((m) => (
            <tr key={m.id} className="border-t border-slate-200 dark:border-slate-800" data-testid="message-row">
              <td className="px-3 py-2 tabular-nums">P{m.priority}</td>
              <td className="px-3 py-2 font-mono">{m.task}</td>
              <td className="max-w-xl truncate px-3 py-2 font-mono" data-testid="message-args">
                {m.decodeError ? `undecodable: ${m.decodeError}` : argsText(m.args, m.kwargs)}
              </td>
              <td className="px-3 py-2 font-mono text-xs text-slate-500">{m.id}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
