import type { TaskEventType, TriageEvent } from '@/lib/shared/task-events';

/**
 * The compact stream form of a worker's task events. A busy worker writes three events per
 * task, and as plain objects each repeated the task's id, name, broker, queue, priority
 * and worker: about 700 bytes per task to build, serialize and send, a fifth of the
 * worker's writes to the state Redis. Grouped, what the events of one execution share is
 * written once and each event is only its type, time and extras.
 *
 * One group on the wire: `[taskId, task, broker, queue, priority, worker, [type, at, extras?]...]`.
 */
export interface TaskEventGroup {
  taskId: string;
  task: string;
  broker: string;
  queue: string;
  priority: number;
  /** Null when the events carry no worker. */
  worker: string | null;
  events: GroupedEvent[];
}

/** One event of a group: `extras` holds every field the group does not (null when none). */
export interface GroupedEvent {
  type: TaskEventType;
  at: string;
  extras: Record<string, unknown> | null;
}

type WireEvent = [type: string, at: string, extras?: Record<string, unknown>];
type WireGroup = [taskId: string, task: string, broker: string, queue: string, priority: number, worker: string | null, ...events: WireEvent[]];

export function encodeTaskEventGroups(groups: readonly TaskEventGroup[]): string {
  const wire: WireGroup[] = [];
  for (const group of groups) {
    const entry: WireGroup = [group.taskId, group.task, group.broker, group.queue, group.priority, group.worker];
    for (const event of group.events) entry.push(event.extras ? [event.type, event.at, event.extras] : [event.type, event.at]);
    wire.push(entry);
  }
  return JSON.stringify(wire);
}

/** One event of a group as the feed shows it: the group's fields, then the event's. */
export function ungroupedEvent(group: Omit<TaskEventGroup, 'events'>, event: GroupedEvent): TriageEvent {
  const full: TriageEvent = { type: event.type, at: event.at, broker: group.broker, queue: group.queue, taskId: group.taskId, task: group.task, priority: group.priority };
  if (group.worker !== null) full.worker = group.worker;
  if (event.extras) Object.assign(full, event.extras);
  return full;
}

/** The events of an encoded batch, oldest first; anything malformed is skipped. */
export function decodeTaskEventGroups(text: string): TriageEvent[] {
  const wire: unknown = JSON.parse(text);
  if (!Array.isArray(wire)) return [];
  const events: TriageEvent[] = [];
  for (const item of wire) {
    if (!Array.isArray(item) || item.length < 6) continue;
    const [taskId, task, broker, queue, priority, worker] = item as unknown[];
    if (typeof taskId !== 'string' || typeof task !== 'string' || typeof broker !== 'string' || typeof queue !== 'string' || typeof priority !== 'number') continue;
    const group = { taskId, task, broker, queue, priority, worker: typeof worker === 'string' ? worker : null };
    for (let i = 6; i < item.length; i++) {
      const wireEvent: unknown = item[i];
      if (!Array.isArray(wireEvent) || typeof wireEvent[0] !== 'string' || typeof wireEvent[1] !== 'string') continue;
      const extras: unknown = wireEvent[2];
      events.push(ungroupedEvent(group, { type: wireEvent[0] as TaskEventType, at: wireEvent[1], extras: extras && typeof extras === 'object' ? (extras as Record<string, unknown>) : null }));
    }
  }
  return events;
}
