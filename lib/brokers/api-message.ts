import type { DecodeResult } from '@/lib/shared/celery-codec';
import type { DeadLetter, Message } from '@/lib/shared/types';
import { DEAD_HEADERS } from './types';

export interface MessagePlacement {
  /** The Triage level the message is queued at. */
  priority: number;
  /** The raw wire priority, null when absent. */
  brokerPriority: number | null;
  /** The task's own priority (Message.taskPriority). */
  taskPriority: number;
  /** Identity to show when the message itself names none. */
  fallbackId: string | null;
  /** Enqueue time known from the transport (AMQP timestamp) when no header says. */
  enqueuedAt?: string | null;
  /** The message as stored, for undecodable messages (or when asked for). */
  raw: () => string;
  includeRaw?: boolean;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The dead-letter headers the worker adds (lib/brokers/types.ts DEAD_HEADERS), when present. */
function deadLetterOf(headers: Record<string, unknown>): DeadLetter | undefined {
  if (!(DEAD_HEADERS.at in headers) && !(DEAD_HEADERS.reason in headers)) return undefined;
  const priority = Number(headers[DEAD_HEADERS.originalPriority]);
  return {
    reason: text(headers[DEAD_HEADERS.reason]),
    error: text(headers[DEAD_HEADERS.error]),
    traceback: text(headers[DEAD_HEADERS.traceback]),
    at: text(headers[DEAD_HEADERS.at]),
    originalQueue: text(headers[DEAD_HEADERS.originalQueue]),
    originalPriority: headers[DEAD_HEADERS.originalPriority] != null && Number.isInteger(priority) ? priority : null,
  };
}

/** A decoded (or undecodable) Celery message as the API's Message, the same for every broker. */
export function toApiMessage(decoded: DecodeResult, placement: MessagePlacement): Message {
  const { priority, brokerPriority, taskPriority } = placement;
  if (decoded.ok) {
    const t = decoded.task;
    const deadLetter = deadLetterOf(t.headers);
    return {
      id: t.id,
      task: t.task,
      args: t.args,
      kwargs: t.kwargs,
      priority,
      brokerPriority,
      taskPriority,
      retries: t.retries,
      eta: t.eta,
      enqueuedAt: t.enqueuedAt ?? placement.enqueuedAt ?? null,
      protocol: t.protocol,
      origin: t.origin,
      ...(placement.includeRaw ? { raw: placement.raw() } : {}),
      ...(deadLetter ? { deadLetter } : {}),
    };
  }
  return {
    id: decoded.id ?? placement.fallbackId ?? 'unknown',
    task: decoded.taskName ?? '',
    args: null,
    kwargs: null,
    priority,
    brokerPriority,
    taskPriority,
    retries: 0,
    eta: null,
    enqueuedAt: placement.enqueuedAt ?? null,
    protocol: null,
    raw: placement.raw(),
    decodeError: decoded.reason,
  };
}
