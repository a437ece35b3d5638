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

  async append(event: TriageEvent): Promise<void> {
    await this.addTo(this.redis.pipeline(), event).exec();
  }

  /** Events after `afterId` (exclusive; '0' = from the oldest kept), oldest first. */
  async read(afterId = '0', count = 1000): Promise<StoredEvent[]> {
    const start = afterId === '0' ? '-' : `(${afterId}`;
    const entries = await this.redis.xrange(this.key, start, '+', 'COUNT', count);
    return entries.flatMap(([id, fields]) => {
      const at = fields.indexOf('data');
      if (at < 0) return [];
      try {
        return [{ ...(JSON.parse(fields[at + 1] ?? '{}') as TriageEvent), id }];
      } catch {
        return [];
      }
    });
  }
}
