/**
 * The one factory for TanStack Query keys. Keys nest (a queue's messages live under the
 * queue, every queue under `queues`), so a mutation can invalidate exactly what it changed
 * with a prefix, e.g. `invalidateQueries({ queryKey: queryKeys.queues() })`.
 */

export interface MessageFilters {
  limit?: number;
  cursor?: string;
  priority?: string;
  task?: string;
  q?: string;
}

const root = ['triage'] as const;

export const queryKeys = {
  all: root,
  health: () => [...root, 'health'] as const,
  me: () => [...root, 'me'] as const,
  queues: () => [...root, 'queues'] as const,
  queue: (broker: string, name: string) => [...root, 'queues', broker, name] as const,
  messages: (broker: string, name: string, filters: MessageFilters = {}) =>
    [...root, 'queues', broker, name, 'messages', filters] as const,
  registry: () => [...root, 'registry'] as const,
  /** Every task page's record. */
  tasks: () => [...root, 'tasks'] as const,
  task: (id: string) => [...root, 'tasks', id] as const,
  /** The task explorer's pages for one set of filters (the URL's filter parameters). */
  taskList: (filters: Record<string, string>) => [...root, 'task-list', filters] as const,
  /** Every filter's explorer pages: a bulk revoke changes rows under any of them. */
  taskLists: () => [...root, 'task-list'] as const,
  /** The failures view's groups for one set of filters. */
  taskFailures: (filters: Record<string, string>) => [...root, 'task-failures', filters] as const,
  /** Under the queue: a purge or restore (which invalidate the queue) refreshes it too. */
  archives: (broker: string, name: string) => [...root, 'queues', broker, name, 'archives'] as const,
  history: (broker: string, name: string, range: string) => [...root, 'queues', broker, name, 'history', range] as const,
  /** Under the queue: its task waits minute by minute (the queue page's wait chart). */
  waitSeries: (broker: string, name: string) => [...root, 'queues', broker, name, 'wait-times'] as const,
  operation: (id: string) => [...root, 'operations', id] as const,
  /** Every queue's backlog sparkline series in one answer. */
  backlogHistory: (range: string) => [...root, 'history', range] as const,
  workers: () => [...root, 'workers'] as const,
  alerts: () => [...root, 'alerts'] as const,
  /** Under `alerts`: saving the settings refreshes the list too (deliveries name the webhooks). */
  alertsConfig: () => [...root, 'alerts', 'config'] as const,
  /** Under `workers`: a worker command (which invalidates the workers) refreshes it too. */
  workerTasks: (id: string) => [...root, 'workers', id, 'tasks'] as const,
  audit: (filters: Record<string, string | undefined>) => [...root, 'audit', filters] as const,
  deadLetters: () => [...root, 'dead-letters'] as const,
  /** SLO definitions and states: the banner, overview rows, queue page and SLO page share one poll. */
  slos: () => [...root, 'slos'] as const,
  rules: () => [...root, 'rules'] as const,
  rulePreview: (body: Record<string, unknown>) => [...root, 'rules', 'preview', body] as const,
};
