import { z } from 'zod';

/**
 * Celery's monitoring events (celery-wire.md §4.1) as Triage reads them. Workers batch task
 * events into a JSON list under routing key `task.multi`; worker events are single dicts.
 * Parsing never throws: what cannot be read is dropped and counted by the caller.
 */

const BaseEventSchema = z.object({
  type: z.string(),
  hostname: z.string().optional(),
  timestamp: z.number().optional(),
  pid: z.number().optional(),
  clock: z.number().optional(),
});

export const TaskEventSchema = BaseEventSchema.extend({
  type: z.string().startsWith('task-'),
  uuid: z.string().min(1),
  name: z.string().optional(),
  args: z.string().optional(),
  kwargs: z.string().optional(),
  retries: z.number().optional(),
  eta: z.string().nullable().optional(),
  expires: z.string().nullable().optional(),
  queue: z.string().optional(),
  routing_key: z.string().optional(),
  exchange: z.string().optional(),
  root_id: z.string().nullable().optional(),
  parent_id: z.string().nullable().optional(),
  result: z.string().optional(),
  runtime: z.number().optional(),
  exception: z.string().optional(),
  traceback: z.string().optional(),
}).loose();

export const WorkerEventSchema = BaseEventSchema.extend({
  type: z.enum(['worker-online', 'worker-heartbeat', 'worker-offline']),
  hostname: z.string().min(1),
  freq: z.number().optional(),
  active: z.number().optional(),
  processed: z.number().optional(),
  loadavg: z.array(z.number()).optional(),
  sw_ident: z.string().optional(),
  sw_ver: z.string().optional(),
  sw_sys: z.string().optional(),
}).loose();

export type TaskEvent = z.infer<typeof TaskEventSchema>;
export type WorkerEvent = z.infer<typeof WorkerEventSchema>;
export type CeleryEvent = { kind: 'task'; event: TaskEvent } | { kind: 'worker'; event: WorkerEvent };

/** One event body (a dict, or a `task.multi` list of dicts) → the events it carries. */
export function parseEventBody(body: unknown): CeleryEvent[] {
  const items = Array.isArray(body) ? body : [body];
  const out: CeleryEvent[] = [];
  for (const item of items) {
    const worker = WorkerEventSchema.safeParse(item);
    if (worker.success) {
      out.push({ kind: 'worker', event: worker.data });
      continue;
    }
    const task = TaskEventSchema.safeParse(item);
    if (task.success) out.push({ kind: 'task', event: task.data });
  }
  return out;
}

/**
 * A Redis pub/sub message on `/<db>.celeryev/<type>`: a kombu envelope whose body is
 * base64 JSON (celery-wire.md §1.1, §4.1).
 */
export function parseRedisEventMessage(raw: string): CeleryEvent[] {
  try {
    const envelope = JSON.parse(raw) as { body?: unknown; properties?: { body_encoding?: string } };
    if (typeof envelope.body !== 'string') return [];
    const text = envelope.properties?.body_encoding === 'base64' ? Buffer.from(envelope.body, 'base64').toString('utf8') : envelope.body;
    return parseEventBody(JSON.parse(text));
  } catch {
    return [];
  }
}

/** An AMQP message from the `celeryev` topic exchange: the raw JSON body. */
export function parseAmqpEventMessage(content: Buffer): CeleryEvent[] {
  try {
    return parseEventBody(JSON.parse(content.toString('utf8')));
  } catch {
    return [];
  }
}

/** Triage's task state for a Celery task event type; null for events that change nothing. */
export function taskStateFor(type: string): 'queued' | 'active' | 'succeeded' | 'failed' | 'retrying' | 'revoked' | null {
  switch (type) {
    case 'task-sent':
    case 'task-received':
      return 'queued';
    case 'task-started':
      return 'active';
    case 'task-succeeded':
      return 'succeeded';
    case 'task-failed':
    case 'task-rejected':
      return 'failed';
    case 'task-revoked':
      return 'revoked';
    case 'task-retried':
      return 'retrying';
    default:
      return null;
  }
}

/** `<pid>@<host>` style hostnames come as `name@host`; Celery's own worker id is the hostname. */
export function eventTime(event: { timestamp?: number }): string {
  return new Date((event.timestamp ?? Date.now() / 1000) * 1000).toISOString();
}

/** The id a Celery worker has in Triage's worker list (events and remote control agree on it). */
export function celeryWorkerId(brokerId: string, hostname: string): string {
  return `celery:${brokerId}:${hostname}`;
}
