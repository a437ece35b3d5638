import type { Message } from '@/lib/shared/types';
import type { BrowseOptions } from './types';

/**
 * The browse filters, the same on every broker: `priorities` are the tasks' own priorities
 * (not the levels they are stored under); `text` matches id, task name or args/kwargs JSON,
 * ignoring case.
 */
export function matchesBrowseFilter(message: Message, options: BrowseOptions): boolean {
  if (options.priorities && !options.priorities.has(message.taskPriority)) return false;
  if (options.task && message.task !== options.task) return false;
  if (options.text) {
    const haystack = `${message.id} ${message.task} ${JSON.stringify(message.args)} ${JSON.stringify(message.kwargs)}`;
    if (!haystack.toLowerCase().includes(options.text.toLowerCase())) return false;
  }
  return true;
}

export function isFiltering(options: BrowseOptions): boolean {
  return Boolean(options.priorities || options.task || options.text);
}
