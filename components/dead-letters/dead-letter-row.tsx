'use client';

import Link from 'next/link';
import type { DeadRow } from '@/lib/client/dead-letters';
import { UNKNOWN } from '../format';
import { priorityBg } from '../priority-colors';
import { queueHref } from '../queue/queue-href';
import { RoleGate } from '../role-gate';
import { TimeAgo } from '../time';
import { Button } from '../ui/button';

const cell = 'px-3 py-2 align-top';

export function rowKey(row: DeadRow): string {
  return `${row.broker}\u0000${row.queue}\u0000${row.message.id}`;
}

export function DeadLetterRow({
  row,
  now,
  selected,
  onToggle,
  onAction,
}: {
  row: DeadRow;
  now: number;
  selected: boolean;
  onToggle: () => void;
  onAction: (action: 'retry' | 'delete') => void;
}) {
  const { message } = row;
  const dead = message.deadLetter;
  const original = dead?.originalQueue ?? row.queue.replace(/\.dead$/, '');
  const priority = dead?.originalPriority ?? message.taskPriority ?? message.priority;
  return (
    <tr data-testid={`dead-row-${message.id}`} className="border-t border-slate-200 dark:border-slate-800">
      <RoleGate role="operator">
        <td className={cell}>
          <input
            type="checkbox"
            checked={selected}
            onChange={onToggle}
            aria-label={`select ${message.task} ${message.id}`}
            className="size-4"
          />
        </td>
      </RoleGate>
      <td className={`${cell} min-w-48`}>
        <div className="font-mono font-semibold break-all">{message.task || UNKNOWN}</div>
        <Link href={`/tasks/${encodeURIComponent(message.id)}`} className="font-mono text-xs break-all text-sky-800 hover:underline dark:text-sky-300">
          {message.id}
        </Link>
      </td>
      <td className={`${cell} max-w-md min-w-48`}>
        <p className="break-words text-red-800 dark:text-red-300" title={dead?.traceback ?? undefined} data-testid="dead-error">
          {dead?.error ?? message.decodeError ?? UNKNOWN}
        </p>
        {dead?.reason ? <p className="text-xs text-slate-500 dark:text-slate-400">{dead.reason.replaceAll('_', ' ')}</p> : null}
      </td>
      <td className={`${cell} text-right tabular-nums`}>{message.retries}</td>
      <td className={`${cell} min-w-36`}>
        <Link href={queueHref(row.broker, original)} className="font-mono break-all hover:underline">
          {original}
        </Link>
        <div className="mt-0.5 flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
          <span aria-hidden className={`size-2.5 rounded-sm ${priorityBg(priority)}`} />
          P{priority} · {row.broker}
        </div>
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        <TimeAgo at={dead?.at} now={now} />
      </td>
      <RoleGate role="operator">
        <td className={`${cell} whitespace-nowrap`}>
          <div className="flex gap-1">
            <Button size="sm" variant="primary" onClick={() => onAction('retry')}>
              Retry
            </Button>
            <Button size="sm" variant="dangerOutline" onClick={() => onAction('delete')}>
              Delete
            </Button>
          </div>
        </td>
      </RoleGate>
    </tr>
  );
}
