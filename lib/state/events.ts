import type { ChainableCommander, Redis } from 'ioredis';
import type { StoredEvent, TriageEvent } from '@/lib/shared/task-events';
import { stateKeys } from './keys';
import { decodeTaskEventGroups, encodeTaskEventGroups, ungroupedEvent, type TaskEventGroup } from './task-event-batch';
import { execOrThrow } from '@/lib/redis/multi';

export type { StoredEvent, TaskEventType, TriageEvent, WorkerEventType } from '@/lib/shared/task-events';

export const DEFAULT_EVENTS_MAXLEN = 50_000;
const EVENTS_PER_ENTRY = 16;
const BATCH_TYPE = 'batch';
/** Batch entries of task-event groups; `events` holds plain event arrays (written before the compact form). */
const GROUPS_FIELD = 'tasks';
const EVENTS_FIELD = 'events';

/**
 * Triage's event log: one capped Redis stream of task and worker events, for task
 * timelines, live worker views and the SSE feed. Trimmed approximately (MAXLEN ~), so
 * memory stays bounded whatever the traffic.
 */
export class EventLog {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxLen = DEFAULT_EVENTS_MAXLEN,
  ) {
    this.key = stateKeys(prefix).events;
  }

  /** Adds the XADD to a pipeline/transaction (so state and its event are written together). */
  addTo(pipeline: ChainableCommander, event: TriageEvent): ChainableCommander {
    return pipeline.xadd(this.key, 'MAXLEN', '~', String(this.maxLen), '*', 'type', event.type, 'data', JSON.stringify(event));
  }

  /**
   * Adds a worker's task events as few entries (up to about EVENTS_PER_ENTRY events each,
   * in the compact form of task-event-batch.ts): a busy worker writes hundreds of events per
   * flush, and one XADD per event cost more client CPU than the task itself. Batch entries
   * are trimmed to an eighth of the cap, so the stream keeps at most about twice `maxLen`
   * events whatever the mix. Returns how many commands were added.
   */
  addTaskEventsTo(pipeline: ChainableCommander, groups: readonly TaskEventGroup[]): number {
    let total = 0;
    for (const group of groups) total += group.events.length;
    if (total === 0) return 0;
    if (total === 1) {
      // Trimmed by the single-entry cap: a worker at concurrency 1 often flushes one event.
      const group = groups.find((g) => g.events.length === 1)!;
      this.addTo(pipeline, ungroupedEvent(group, group.events[0]!));
      return 1;
    }
    let entries = 0;
    let chunk: TaskEventGroup[] = [];
    let inChunk = 0;
    const send = () => {
      pipeline.xadd(this.key, 'MAXLEN', '~', String(Math.ceil(this.maxLen / 8)), '*', 'type', BATCH_TYPE, GROUPS_FIELD, encodeTaskEventGroups(chunk));
      entries += 1;
      chunk = [];
      inChunk = 0;
    };
    for (const group of groups) {
      if (inChunk > 0 && inChunk + group.events.length > EVENTS_PER_ENTRY) send();
      chunk.push(group);
      inChunk += group.events.length;
    }
    if (inChunk > 0) send();
    return entries;
  }

  async append(event: TriageEvent): Promise<void> {
    await execOrThrow(this.addTo(this.redis.pipeline(), event));
  }

  /** The id of the newest entry ('0-0' when the stream is empty): where a reader of new events starts. */
  async lastId(): Promise<string> {
    const last = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  /** Events after `afterId` (exclusive; '0' = from the oldest kept), oldest first. */
  async read(afterId = '0', count = 1000): Promise<StoredEvent[]> {
    const start = afterId === '0' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.key, start, '+', 'COUNT', count);
    return entries.flatMap(([id, fields]) => {
      try {
        const single = fields.indexOf('data');
        if (single >= 0) return [{ ...(JSON.parse(fields[single + 1] ?? '{}') as TriageEvent), id }];
        // Events of one entry share its id: a cursor moves past them together.
        const groups = fields.indexOf(GROUPS_FIELD);
        if (groups >= 0) return decodeTaskEventGroups(fields[groups + 1] ?? '[]').map((event) => ({ ...event, id }));
        const plain = fields.indexOf(EVENTS_FIELD);
        if (plain >= 0) {
          const events = JSON.parse(fields[plain + 1] ?? '[]') as TriageEvent[];
          return Array.isArray(events) ? events.map((event) => ({ ...event, id })) : [];
        }
      } catch {
        // A malformed entry is skipped, not fatal to the feed.
      }
      return [];
    });
  }
}
