import type { ChainableCommander, Redis } from 'ioredis';
import { stateKeys } from './keys';

/**
 * Triage's event log: one capped Redis stream of task and worker events, for task
 * timelines, live worker views and the SSE feed. Trimmed approximately (MAXLEN ~), so
 * memory stays bounded whatever the traffic.
 */
export type TaskEventType = 'task.received' | 'task.started' | 'task.succeeded' | 'task.failed' | 'task.retried' | 'task.dead';
export type WorkerEventType = 'worker.online' | 'worker.heartbeat' | 'worker.offline';

export interface TriageEvent {
  type: TaskEventType | WorkerEventType;
  /** ISO time. */
  at: string;
  worker?: string;
  broker?: string;
  queue?: string;
  taskId?: string;
  task?: string;
  priority?: number;
  [extra: string]: unknown;
}

export interface StoredEvent extends TriageEvent {
  /** Stream entry id (`<ms>-<seq>`), usable as a cursor. */
  id: string;
}

export const DEFAULT_EVENTS_MAXLEN = 50_000;
const EVENTS_PER_ENTRY = 16;
const BATCH_TYPE = 'batch';

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
   * Adds many events as few entries (up to EVENTS_PER_ENTRY each): a busy worker writes
   * hundreds of events per flush, and one XADD per event cost more client CPU than the
   * task itself. Batch entries are trimmed to an eighth of the cap, so the stream keeps at
   * most about twice `maxLen` events whatever the mix.
   */
  addBatchTo(pipeline: ChainableCommander, events: readonly TriageEvent[]): number {
    if (events.length === 1) {
      this.addTo(pipeline, events[0]!);
      return 1;
    }
    let entries = 0;
    for (let from = 0; from < events.length; from += EVENTS_PER_ENTRY) {
      const chunk = events.slice(from, from + EVENTS_PER_ENTRY);
      pipeline.xadd(this.key, 'MAXLEN', '~', String(Math.ceil(this.maxLen / 8)), '*', 'type', BATCH_TYPE, 'events', JSON.stringify(chunk));
      entries += 1;
    }
    return entries;
  }

  async append(event: TriageEvent): Promise<void> {
    await this.addTo(this.redis.pipeline(), event).exec();
  }

  /** Events after `afterId` (exclusive; '0' = from the oldest kept), oldest first. */
  async read(afterId = '0', count = 1000): Promise<StoredEvent[]> {
    const start = afterId === '0' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.key, start, '+', 'COUNT', count);
    return entries.flatMap(([id, fields]) => {
      const single = fields.indexOf('data');
      const batch = single < 0 ? fields.indexOf('events') : -1;
      try {
        if (single >= 0) return [{ ...(JSON.parse(fields[single + 1] ?? '{}') as TriageEvent), id }];
        if (batch >= 0) {
          const events = JSON.parse(fields[batch + 1] ?? '[]') as TriageEvent[];
          // Events of one entry share its id: a cursor moves past them together.
          return Array.isArray(events) ? events.map((event) => ({ ...event, id })) : [];
        }
      } catch {
        // A malformed entry is skipped, not fatal to the feed.
      }
      return [];
    });
  }
}
