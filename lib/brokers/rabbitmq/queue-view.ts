import type { RabbitQueueConfig } from './config';
import { PRIORITIES, emptyByPriority, fromRabbitPriority, rabbitLevels, toRabbitPriority } from '@/lib/shared/priority';
import type { Queue } from '@/lib/shared/types';
import { TriageError } from '@/lib/shared/errors';
import type { QueueRecord } from './management';
import { expectedArguments } from './topology';
import { RABBIT_CAPABILITIES } from './capabilities';

/**
 * Turns a management API queue record into the API's Queue (product.md §4). Pure.
 *
 * Per-priority depth: RabbitMQ reports ready messages per AMQP priority b in
 * `backing_queue_status.priority_lengths`; b counts under fromRabbitPriority(b, M), so
 * for x-max-priority 10 that is 9 − b, and b above M counts as 0. RabbitMQ stores a
 * message without priority as b = 0, so "no priority" and "0" are indistinguishable
 * here; both land on 9, which is where the API puts "no priority" anyway.
 *
 * `depth` is always the sum of `byPriority`, taken from the same statistics sample (so
 * it can lag the broker by up to ~5 s; see management.ts).
 */

export interface QueueViewInput {
  brokerId: string;
  name: string;
  /** null: the queue does not exist (yet) on the broker. */
  record: QueueRecord | null;
  config?: RabbitQueueConfig;
  /** From the last topology run. */
  topologyWarnings?: readonly string[];
  nowMs: number;
}

const RATES_BASIS = 'from RabbitMQ’s statistics (refreshed every ~5 s): published; acked or taken without ack (browsing does not count)';

export const NO_PRIORITY_WARNING = 'declared without x-max-priority: priority is ignored';

/** The queue's x-max-priority, 0 when it has none (RabbitMQ then ignores message priority). */
export function maxPriorityOf(args: Record<string, unknown>): number {
  const value = args['x-max-priority'];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 255 ? value : 0;
}

/**
 * Celery's own plumbing and RPC reply queues, hidden from discovery: event receivers
 * (`celeryev.<uuid>`), remote-control mailboxes (`<host>.celery.pidbox`,
 * `<oid>.reply.celery.pidbox`), server-named `amq.*` queues, and exclusive or
 * auto-delete queues, which live only as long as their consumer.
 */
export function isInternalQueue(record: QueueRecord): boolean {
  return (
    record.name.startsWith('celeryev.') ||
    record.name.endsWith('.pidbox') ||
    record.name.startsWith('amq.') ||
    record.exclusive ||
    record.autoDelete
  );
}

/**
 * Why Triage must not declare, read or write a queue of this name, or null: `amq.` names
 * are reserved by RabbitMQ (declaring one is ACCESS_REFUSED), and server-named ones belong
 * to the connection that made them.
 */
export function reservedQueueReason(name: string): string | null {
  return name.startsWith('amq.') ? `queue name ${JSON.stringify(name)} starts with "amq.", which RabbitMQ reserves for itself` : null;
}

/** Refuses (422) a queue name RabbitMQ reserves. */
export function assertUsable(name: string): void {
  const reserved = reservedQueueReason(name);
  if (reserved) throw new TriageError('UNPROCESSABLE', reserved);
}

/**
 * A stream is an append-only log: no basic.get (RabbitMQ answers it with 540
 * NOT_IMPLEMENTED, which closes the whole connection), no requeue, no removal. Triage reads
 * queues by get-and-requeue, so it refuses streams before sending anything.
 */
export function assertReadable(record: Pick<QueueRecord, 'name' | 'type'>): void {
  if (record.type === 'stream') {
    throw new TriageError(
      'UNPROCESSABLE',
      `queue ${record.name} is a stream queue: Triage cannot browse, move or remove its messages (a stream has no basic.get and keeps every message); read it with a stream consumer`,
      { type: record.type },
    );
  }
}

export function queueView(input: QueueViewInput): Queue {
  const { record, config } = input;
  if (!record) return missingQueueView(input);

  const warnings: string[] = [];
  const classic = record.type === 'classic';
  // Only classic queues order by priority and report priority_lengths.
  const maxPriority = classic ? maxPriorityOf(record.arguments) : 0;
  if (!classic) warnings.push(`a ${record.type} queue: RabbitMQ reports per-priority depth only for classic queues`);
  else if (maxPriority === 0) warnings.push(NO_PRIORITY_WARNING);
  const levels = rabbitLevels(maxPriority);
  if (maxPriority > 0 && levels.length < PRIORITIES.length) {
    warnings.push(`x-max-priority ${maxPriority} tells only ${levels.length} priorities apart: ${levels.join(', ')}`);
  }

  const byPriority = emptyByPriority();
  // Broker priorities with messages, per level: needed to know whether the head
  // timestamp is also the oldest of its level.
  const sourcesPerLevel = new Map<number, number>();
  if (maxPriority > 0 && record.priorityLengths) {
    for (const [b, count] of Object.entries(record.priorityLengths)) {
      if (count <= 0) continue;
      const level = fromRabbitPriority(Number(b), maxPriority);
      byPriority[String(level)] = (byPriority[String(level)] ?? 0) + count;
      sourcesPerLevel.set(level, (sourcesPerLevel.get(level) ?? 0) + 1);
    }
  } else if (record.messagesReady > 0) {
    // No split available: a queue without priority is one FIFO (level 0 of [0]); a
    // priority queue without priority_lengths (stats not in yet) goes to its last level.
    const level = maxPriority === 0 ? 0 : fromRabbitPriority(0, maxPriority);
    byPriority[String(level)] = record.messagesReady;
    sourcesPerLevel.set(level, 1);
    if (maxPriority > 0) warnings.push('per-priority split not reported by RabbitMQ yet; counted under the last level');
  }
  const depth = PRIORITIES.reduce((sum, p) => sum + (byPriority[String(p)] ?? 0), 0);

  // RabbitMQ knows only the head message's AMQP timestamp (Celery itself sets none;
  // Triage does). The head is the next delivery: the oldest message of the most urgent
  // non-empty level, since each level is FIFO — unless two broker priorities share it.
  const oldestAgeSec =
    record.headMessageTimestamp !== null && depth > 0 ? Math.max(0, Math.round(input.nowMs / 1000 - record.headMessageTimestamp)) : null;
  const oldestAgeSecByPriority: Record<string, number | null> = Object.fromEntries(PRIORITIES.map((p) => [String(p), null]));
  const headLevel = PRIORITIES.find((p) => (byPriority[String(p)] ?? 0) > 0);
  if (oldestAgeSec !== null && headLevel !== undefined && sourcesPerLevel.get(headLevel) === 1) {
    oldestAgeSecByPriority[String(headLevel)] = oldestAgeSec;
  }

  const unavailable = unavailableReason(record);
  if (unavailable) warnings.unshift(`unavailable: ${unavailable}; its counts are unknown`);

  return {
    broker: input.brokerId,
    kind: 'rabbitmq',
    name: record.name,
    unavailable,
    depth,
    byPriority,
    inFlight: record.messagesUnacknowledged,
    consumers: record.consumers,
    paused: false,
    oldestAgeSec,
    oldestAgeSecByPriority,
    levels,
    levelOf: levelOf(maxPriority),
    rates: {
      enqueue: record.publishRate,
      dequeue: record.removeRate,
      basis: record.publishRate === null ? 'RabbitMQ has reported no statistics for this queue yet' : RATES_BASIS,
    },
    details: {
      maxPriority: maxPriority > 0 ? maxPriority : null,
      arguments: record.arguments,
      type: record.type,
      durable: record.durable,
      configured: Boolean(config),
      ...(record.node ? { node: record.node } : {}),
      ...(record.leader ? { leader: record.leader } : {}),
      ...(record.members ? { members: record.members } : {}),
      ...(record.online ? { online: record.online } : {}),
      oldestAgeSource: 'AMQP timestamp of the head message (the next to be delivered)',
    },
    warnings: [...warnings, ...(input.topologyWarnings ?? [])],
    capabilities: RABBIT_CAPABILITIES,
  };
}

/**
 * Why RabbitMQ cannot serve the queue now, or null: a classic queue whose node is down is
 * listed with state "down" and no counts; a quorum queue needs a majority of its members.
 */
function unavailableReason(record: QueueRecord): string | null {
  if (record.state && !['running', 'idle', 'flow'].includes(record.state)) {
    return record.node ? `its node ${record.node} is ${record.state}` : `its state is ${record.state}`;
  }
  if (record.members && record.online && record.members.length > 0 && record.online.length * 2 <= record.members.length) {
    return `${record.online.length} of its ${record.members.length} members are online, no majority`;
  }
  return null;
}

/** A configured queue that does not exist on the broker (yet). */
function missingQueueView(input: QueueViewInput): Queue {
  const maxPriority = input.config?.maxPriority ?? 0;
  return {
    broker: input.brokerId,
    kind: 'rabbitmq',
    name: input.name,
    depth: 0,
    byPriority: emptyByPriority(),
    inFlight: 0,
    consumers: 0,
    paused: false,
    oldestAgeSec: null,
    oldestAgeSecByPriority: Object.fromEntries(PRIORITIES.map((p) => [String(p), null])),
    levels: rabbitLevels(maxPriority),
    levelOf: levelOf(maxPriority),
    rates: { enqueue: null, dequeue: null, basis: 'the queue does not exist on the broker yet' },
    details: {
      maxPriority: maxPriority > 0 ? maxPriority : null,
      arguments: input.config ? expectedArguments(input.config) : {},
      durable: input.config?.durable ?? true,
      configured: Boolean(input.config),
      exists: false,
    },
    warnings: [
      'the queue does not exist on the broker yet; Triage declares it when connected',
      ...(input.topologyWarnings ?? []),
    ],
    capabilities: RABBIT_CAPABILITIES,
  };
}

/** levelOf[p]: the level a message published at Triage priority p is counted under. */
function levelOf(maxPriority: number): number[] {
  return PRIORITIES.map((p) => fromRabbitPriority(toRabbitPriority(p, maxPriority), maxPriority));
}
