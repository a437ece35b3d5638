'use client';

import { useEffect, useMemo, useRef } from 'react';
import Link from 'next/link';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import type { Message, Queue } from '@/lib/shared/types';
import { UNKNOWN, formatAge } from '../format';
import { levelRangeOf, storedWithLabel } from '../levels';
import { PRIORITY_BADGE, priorityBg } from '../priority-colors';
import { Timestamp } from '../time';

// The cell truncates visually (full text in its title); this only bounds the DOM for huge payloads.
const PREVIEW_CHARS = 2000;

/** Arguments as JSON text; React renders it as inert text, so markup in an argument never runs. */
function argsPreview(message: Message): string {
  if (message.decodeError) return message.raw ?? '';
  const parts = [JSON.stringify(message.args ?? [])];
  if (message.kwargs && typeof message.kwargs === 'object' && Object.keys(message.kwargs).length > 0) parts.push(JSON.stringify(message.kwargs));
  const text = parts.join(' ');
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}

function ageOf(iso: string | null): string {
  if (!iso) return UNKNOWN;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? UNKNOWN : formatAge((Date.now() - at) / 1000);
}

/**
 * The task's own priority, and the level it is stored under when that level holds more
 * than it ("P1 · stored with P0–2": kombu's default steps keep 0..2 in one list, so a worker
 * takes it with the 0s and 2s in arrival order). The wire value is for the curious: tooltip only.
 */
export function PriorityChip({ message, queue }: { message: Message; queue: Queue | null }) {
  // Servers from before `taskPriority` existed only report the level.
  const own = message.taskPriority ?? message.priority;
  const level = message.priority;
  const held = storedWithLabel(own, (queue ? levelRangeOf(queue, level) : null) ?? [level, level]);
  return (
    <span
      // The "stored with" part may go under the chip: the column stays narrow enough for the table to fit 1440 px.
      className="inline-flex flex-wrap items-center gap-x-1.5 gap-y-0.5 tabular-nums"
      data-testid="message-priority"
      title={`task priority ${own}; stored at level ${level}; wire value (properties.priority): ${message.brokerPriority ?? 'none'}`}
    >
      <span className={`${PRIORITY_BADGE} ${priorityBg(own)}`}>P{own}</span>
      {/* The space counts in the text (copy, screen readers); on screen the flex gap spaces the parts. */}
      {held === null ? null : <>{' '}<span className="text-xs whitespace-nowrap text-slate-600 dark:text-slate-300">· stored with {held}</span></>}
    </span>
  );
}

function Checkbox({
  checked,
  indeterminate = false,
  label,
  onChange,
  disabled,
}: {
  checked: boolean;
  indeterminate?: boolean;
  label: string;
  onChange: (checked: boolean, shift: boolean) => void;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={label}
      checked={checked}
      disabled={disabled}
      // onClick carries shiftKey (for range selection) from the mouse and from Shift+Space alike.
      onClick={(event) => onChange(event.currentTarget.checked, event.shiftKey)}
      onChange={() => {}}
      className="size-4 accent-sky-700"
    />
  );
}

const column = createColumnHelper<Message>();
const cell = 'px-3 py-2 align-top';
// Args take whatever width the other columns leave (width 100%, max-width 0) and truncate,
// so the table fits a 1440 px screen with ETA and Waiting whole; never narrower than 12rem.
const argsCell = `${cell} w-full max-w-0 min-w-48`;

export function MessageTable({
  messages,
  queue = null,
  selected,
  allSelected,
  selectable,
  onToggle,
  onTogglePage,
}: {
  messages: Message[];
  /** For the priorities each level holds ("stored with P0–2"). */
  queue?: Queue | null;
  selected: ReadonlySet<string>;
  /** "All matching" is selected: every row shows checked. */
  allSelected: boolean;
  selectable: boolean;
  onToggle: (index: number, checked: boolean, shift: boolean) => void;
  onTogglePage: (checked: boolean) => void;
}) {
  const pageChecked = allSelected || (messages.length > 0 && messages.every((m) => selected.has(m.id)));
  const pageSome = !pageChecked && messages.some((m) => selected.has(m.id));
  const columns = useMemo(
    () => [
      ...(selectable
        ? [
            column.display({
              id: 'select',
              header: () => <Checkbox checked={pageChecked} indeterminate={pageSome} label="Select every message on this page" onChange={onTogglePage} />,
              cell: ({ row }) => (
                <Checkbox
                  checked={allSelected || selected.has(row.original.id)}
                  disabled={allSelected}
                  label={`Select ${row.original.id}`}
                  onChange={(checked, shift) => onToggle(row.index, checked, shift)}
                />
              ),
            }),
          ]
        : []),
      // First after the checkbox: on a phone the table scrolls sideways, and the priority is
      // what this page is about; a 36-character id would push it out of view.
      column.accessor('taskPriority', {
        header: 'Priority',
        cell: ({ row }) => <PriorityChip message={row.original} queue={queue} />,
      }),
      column.accessor('id', {
        header: 'Task id',
        cell: ({ row }) =>
          row.original.decodeError ? (
            <span className="font-mono text-xs whitespace-nowrap text-slate-500">{row.original.id}</span>
          ) : (
            <Link href={`/tasks/${encodeURIComponent(row.original.id)}`} className="font-mono text-xs whitespace-nowrap text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
              {row.original.id}
            </Link>
          ),
      }),
      column.accessor('task', {
        header: 'Task',
        cell: ({ row }) =>
          row.original.decodeError ? (
            <span className="rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-800 dark:bg-red-950 dark:text-red-300" title={row.original.decodeError}>
              undecodable: {row.original.decodeError}
            </span>
          ) : (
            <span className="font-mono text-xs whitespace-nowrap">{row.original.task}</span>
          ),
      }),
      column.display({
        id: 'args',
        header: 'Args / kwargs',
        cell: ({ row }) => (
          <span data-testid="message-args" className={`block truncate font-mono text-xs ${row.original.decodeError ? 'text-red-800 dark:text-red-300' : ''}`} title={argsPreview(row.original)}>
            {argsPreview(row.original)}
          </span>
        ),
      }),
      column.accessor('retries', { header: 'Retries', cell: ({ getValue }) => <span className="tabular-nums">{getValue()}</span> }),
      column.accessor('eta', {
        header: 'ETA',
        cell: ({ getValue }) => {
          const eta = getValue();
          return eta ? <Timestamp at={eta} className="whitespace-nowrap" /> : UNKNOWN;
        },
      }),
      column.accessor('enqueuedAt', { header: 'Waiting', cell: ({ getValue }) => <span className="whitespace-nowrap tabular-nums">{ageOf(getValue())}</span> }),
    ],
    [selectable, pageChecked, pageSome, allSelected, selected, onToggle, onTogglePage, queue],
  );
  // eslint-disable-next-line react-hooks/incompatible-library -- nothing below memoizes the table's functions
  const table = useReactTable({ data: messages, columns, getCoreRowModel: getCoreRowModel(), getRowId: (m, i) => `${m.id}-${i}` });
  return (
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
      <table className="w-full text-left text-sm" data-testid="message-list">
        <caption className="sr-only">Waiting messages, in the order a worker receives them</caption>
        <thead className="bg-slate-50 text-xs text-slate-600 uppercase dark:bg-slate-900 dark:text-slate-400">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col" className="px-3 py-2 whitespace-nowrap">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              data-testid="message-row"
              data-undecodable={row.original.decodeError ? 'true' : undefined}
              className={`border-t border-slate-200 dark:border-slate-800 ${
                row.original.decodeError ? 'bg-red-50/60 dark:bg-red-950/20' : selected.has(row.original.id) || allSelected ? 'bg-sky-50 dark:bg-sky-950/30' : ''
              }`}
            >
              {row.getVisibleCells().map((c) => (
                <td key={c.id} className={c.column.id === 'args' ? argsCell : cell}>
                  {flexRender(c.column.columnDef.cell, c.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
