import { randomUUID } from 'node:crypto';
import { DEAD_HEADERS, type DeadLetterInfo } from '../types';

/**
 * Builds the kombu envelopes a consumer writes back: retry copies and dead-letter copies.
 * Both keep the producer's envelope (same task id, name, body) and change only headers,
 * routing and the delivery tag, which kombu requires to be unique per stored message.
 */

type Envelope = Record<string, unknown> & { headers?: Record<string, unknown>; properties?: Record<string, unknown> };

function parseEnvelope(payload: string): Envelope | null {
  try {
    const value: unknown = JSON.parse(payload);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Envelope) : null;
  } catch {
    return null;
  }
}

/** A new stored copy: `headers` merged in, fresh tag, routed to `queue`, not marked redelivered. */
export function copyEnvelope(payload: string, queue: string, headers: Record<string, unknown>, wirePriority?: number): string | null {
  const envelope = parseEnvelope(payload);
  if (!envelope) return null;
  const oldHeaders = typeof envelope.headers === 'object' && envelope.headers !== null ? envelope.headers : {};
  const keptHeaders = { ...oldHeaders };
  delete keptHeaders.redelivered;
  const properties = typeof envelope.properties === 'object' && envelope.properties !== null ? envelope.properties : {};
  const info = typeof properties.delivery_info === 'object' && properties.delivery_info !== null ? properties.delivery_info : {};
  const keptInfo = { ...(info as Record<string, unknown>) };
  delete keptInfo.redelivered;
  envelope.headers = { ...keptHeaders, ...headers };
  envelope.properties = {
    ...properties,
    delivery_info: { ...keptInfo, exchange: '', routing_key: queue },
    ...(wirePriority !== undefined ? { priority: wirePriority } : {}),
    delivery_tag: randomUUID(),
  };
  return JSON.stringify(envelope);
}

export function deadHeaders(info: DeadLetterInfo, originalQueue: string, originalPriority: number): Record<string, unknown> {
  return {
    [DEAD_HEADERS.reason]: info.reason,
    [DEAD_HEADERS.error]: info.error,
    [DEAD_HEADERS.traceback]: info.traceback,
    [DEAD_HEADERS.at]: new Date().toISOString(),
    [DEAD_HEADERS.originalQueue]: originalQueue,
    [DEAD_HEADERS.originalPriority]: originalPriority,
  };
}

/**
 * The dead-letter copy of a stored message. A payload that is not a JSON object (nothing
 * to patch) is wrapped whole, base64, in a new envelope so its bytes survive for a human.
 */
export function deadEnvelope(payload: string, deadQueue: string, headers: Record<string, unknown>, level: number, fallbackId: string | null): string {
  const copy = copyEnvelope(payload, deadQueue, headers, level);
  if (copy) return copy;
  const id = fallbackId ?? randomUUID();
  return JSON.stringify({
    body: Buffer.from(payload, 'utf8').toString('base64'),
    'content-encoding': 'binary',
    'content-type': 'application/x-triage-undecodable',
    headers: { id, ...headers },
    properties: {
      correlation_id: id,
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: deadQueue },
      priority: level,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

/** The member of the delayed-retry set: `<len>:<list key><payload>` (see lua/delayed-promote.lua). */
export function delayedMember(listKey: string, payload: string): string {
  return `${Buffer.byteLength(listKey, 'utf8')}:${listKey}${payload}`;
}
