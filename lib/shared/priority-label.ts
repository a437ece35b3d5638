import { bandOf } from './priority';

/**
 * "3 · medium": the one way the UI names a priority in words (buttons, results, the task
 * page), so a priority reads the same wherever it is shown. The band is lib/shared/priority's.
 */
export function priorityLabel(priority: number): string {
  return `${priority} · ${bandOf(priority)}`;
}

/**
 * The label in a priority picker: the same words, and 0 also says which end is urgent, so
 * "is 0 or 9 the urgent one?" never needs remembering.
 */
export function priorityOptionLabel(priority: number): string {
  return priority === 0 ? `${priorityLabel(priority)} (most urgent)` : priorityLabel(priority);
}
