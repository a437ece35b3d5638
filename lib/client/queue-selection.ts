import { parsePriorityFilter } from '@/lib/shared/types';

/** What a bulk action of the queue page applies to, and how it goes into a control request's body. */

export interface BrowseFilters {
  priority: string;
  task: string;
  q: string;
  id: string;
}

export type Target =
  | { kind: 'ids'; ids: string[] }
  /** Every message matching the filter, counted by a dry run when selected. */
  | { kind: 'matching'; match: Match | null; count: number }
  | { kind: 'queue' };

export interface Match {
  task?: string;
  priorities?: number[];
}

/**
 * The browse filter as a control `match`. Text and id searches have no `match` form on the
 * server, so "every matching message" cannot be sent for them (undefined); null = no filter
 * (the whole queue).
 */
export function matchOf(filters: BrowseFilters): Match | null | undefined {
  if (filters.q || filters.id) return undefined;
  const priorities = parsePriorityFilter(filters.priority || undefined);
  const match: Match = {
    ...(filters.task ? { task: filters.task } : {}),
    ...(priorities ? { priorities: [...priorities].sort((a, b) => a - b) } : {}),
  };
  return match.task || match.priorities ? match : null;
}

/** The selection part of a control body: ids, match, or nothing (= every message). */
export function selectionBody(target: Target): Record<string, unknown> {
  if (target.kind === 'ids') return { ids: target.ids };
  if (target.kind === 'matching' && target.match) return { match: target.match };
  return {};
}

/** How many messages a target names, when the page knows without asking the server. */
export function targetCount(target: Target): number | null {
  if (target.kind === 'ids') return target.ids.length;
  if (target.kind === 'matching') return target.count;
  return null;
}

export function describeTarget(target: Target, queueName: string): string {
  if (target.kind === 'ids') return `${target.ids.length} selected message${target.ids.length === 1 ? '' : 's'}`;
  if (target.kind === 'matching') {
    const parts = [];
    if (target.match?.task) parts.push(`task ${target.match.task}`);
    if (target.match?.priorities) parts.push(`priority ${target.match.priorities.join(', ')}`);
    return parts.length ? `all messages matching ${parts.join(' and ')}` : `every waiting message of ${queueName}`;
  }
  return `every waiting message of ${queueName}`;
}
