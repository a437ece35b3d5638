import type { Message } from '@/lib/shared/types';
import type { BrowseOptions, MessageSelector } from './types';

/**
 * Task names match by case-insensitive substring: operators type the part they remember
 * ("generate_report"), not the module path Celery registered (`myapp.tasks.generate_report`).
 */
export function taskNameMatches(name: string | null, wanted: string): boolean {
  return name !== null && name.toLowerCase().includes(wanted.toLowerCase());
}

/** The browse filters, the same on every broker: `text` matches id, task name or args/kwargs JSON, ignoring case. */
export function matchesBrowseFilter(message: Message, options: BrowseOptions): boolean {
  if (options.priorities && !options.priorities.has(message.priority)) return false;
  if (options.task && !taskNameMatches(message.task, options.task)) return false;
  if (options.text) {
    const haystack = `${message.id} ${message.task} ${JSON.stringify(message.args)} ${JSON.stringify(message.kwargs)}`;
    if (!haystack.toLowerCase().includes(options.text.toLowerCase())) return false;
  }
  return true;
}

export function isFiltering(options: BrowseOptions): boolean {
  return Boolean(options.priorities || options.task || options.text);
}

/** A control operation's selection, the same on every broker; `ids` is the selector's ids as a set (null: any id). */
export function matchesSelector(
  message: { id: string | null; task: string | null },
  level: number,
  selector: MessageSelector,
  ids: ReadonlySet<string> | null,
): boolean {
  if (selector.priorities && !selector.priorities.includes(level)) return false;
  if (selector.task !== undefined && !taskNameMatches(message.task, selector.task)) return false;
  if (ids && (message.id === null || !ids.has(message.id))) return false;
  return true;
}

/** Whether a selection can be counted from per-level depths alone (no task name, no ids to read). */
export function selectsByLevelOnly(selector: MessageSelector): boolean {
  return selector.ids === undefined && selector.task === undefined;
}
