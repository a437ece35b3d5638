import { PRIORITIES } from '@/lib/shared/priority';
import type { Message } from '@/lib/shared/types';
import type { BrowseOptions, MessageSelector } from './types';

/**
 * Task names match by case-insensitive substring: operators type the part they remember
 * ("generate_report"), not the module path Celery registered (`myapp.tasks.generate_report`).
 */
export function taskNameMatches(name: string | null, wanted: string): boolean {
  return name !== null && name.toLowerCase().includes(wanted.toLowerCase());
}

/**
 * The browse filters, the same on every broker: `priorities` are the tasks' own priorities
 * (not the levels they are stored under); `text` matches id, task name or args/kwargs JSON,
 * ignoring case.
 */
export function matchesBrowseFilter(message: Message, options: BrowseOptions): boolean {
  if (options.priorities && !options.priorities.has(message.taskPriority)) return false;
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

/**
 * A control operation's selection, the same on every broker: `priority` is the task's own
 * (not the level it is stored under); `ids` is the selector's ids as a set (null: any id).
 */
export function matchesSelector(
  message: { id: string | null; task: string | null },
  priority: number,
  selector: MessageSelector,
  ids: ReadonlySet<string> | null,
): boolean {
  if (selector.priorities && !selector.priorities.includes(priority)) return false;
  if (selector.task !== undefined && !taskNameMatches(message.task, selector.task)) return false;
  if (ids && (message.id === null || !ids.has(message.id))) return false;
  return true;
}

/**
 * The levels a selection takes whole, when levels alone can tell: no task name and no ids,
 * and priorities (the tasks' own) that take all or none of the priorities each level holds
 * (P1 alone cannot be counted from kombu's 0–2 list). `levelOf` maps a priority to the level
 * it is stored under. null: the messages must be read.
 */
export function wholeLevelsSelected<L>(selector: MessageSelector, levelOf: (priority: number) => L): Set<L> | null {
  if (selector.ids !== undefined || selector.task !== undefined) return null;
  const chosen = selector.priorities ? new Set(selector.priorities) : null;
  const picked = new Map<L, boolean>();
  for (const priority of PRIORITIES) {
    const level = levelOf(priority);
    const take = chosen === null || chosen.has(priority);
    if (picked.has(level) && picked.get(level) !== take) return null;
    picked.set(level, take);
  }
  return new Set([...picked].filter(([, take]) => take).map(([level]) => level));
}
