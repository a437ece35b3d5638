import type { RabbitQueueConfig } from './config';
import { describeError, isTriageError } from '@/lib/shared/errors';
import type { ChannelSource, Logger } from './connection';
import type { ManagementClient } from './management';

/**
 * Declares the configured queues, idempotently, on every (re)connect.
 *
 * RabbitMQ queue arguments are fixed at creation, and declaring an existing queue with
 * other arguments fails with 406 PRECONDITION_FAILED (celery-wire.md §3, gotcha 8). So
 * an existing queue is never redeclared: its arguments are read from the management API
 * and differences from the configuration become warnings on the queue; Triage then
 * works with the queue as it actually is. Only a missing queue is declared, with
 * `{ durable, arguments: { 'x-max-priority': maxPriority, ...arguments } }` — the same
 * arguments a Celery app with `task_queue_max_priority` declares, so its producers keep
 * working. Every declaration runs on a throwaway channel: a 406 from a race with another
 * declarer closes that channel only.
 */

/** What Triage knows about one configured queue after the last topology run. */
export interface QueueTopology {
  /** The arguments the queue really has; null when they could not be read. */
  actualArguments: Record<string, unknown> | null;
  /** True when this run created the queue. */
  declared: boolean;
  warnings: string[];
}

/** The arguments Triage declares a missing configured queue with. */
export function expectedArguments(config: RabbitQueueConfig): Record<string, unknown> {
  // x-max-priority 0 means "no priority queue": leave the argument out, as Celery does.
  return { ...(config.maxPriority > 0 ? { 'x-max-priority': config.maxPriority } : {}), ...config.arguments };
}

/** Declares every configured queue (in parallel); never throws. */
export async function declareTopology(
  channels: ChannelSource,
  management: ManagementClient,
  queues: readonly RabbitQueueConfig[],
  logger: Logger,
): Promise<Map<string, QueueTopology>> {
  const results = await Promise.all(queues.map((queue) => ensureQueue(channels, management, queue, logger)));
  return new Map(queues.map((queue, i) => [queue.name, results[i]!]));
}

/** Makes sure one configured queue exists; reports, never throws. */
export async function ensureQueue(
  channels: ChannelSource,
  management: ManagementClient,
  config: RabbitQueueConfig,
  logger: Logger,
): Promise<QueueTopology> {
  const expected = expectedArguments(config);
  let managementError: string | null = null;
  try {
    const record = await management.getQueue(config.name);
    if (record) {
      const warnings = mismatches(config, expected, record.arguments, record.durable);
      if (warnings.length > 0) logger.warn({ queue: config.name, warnings }, 'rabbitmq queue differs from its configuration');
      return { actualArguments: record.arguments, declared: false, warnings };
    }
  } catch (error) {
    managementError = describeError(error);
  }

  try {
    if (managementError !== null) {
      // Without the management API the arguments cannot be read; a passive declare still
      // tells whether the queue exists, and an existing queue must not be redeclared.
      const exists = await queueExists(channels, config.name);
      if (exists) {
        return {
          actualArguments: null,
          declared: false,
          warnings: [`arguments not verified against the configuration: ${managementError}`],
        };
      }
    }
    await channels.withChannel((channel) =>
      channel.assertQueue(config.name, { durable: config.durable, autoDelete: false, exclusive: false, arguments: expected }),
    );
    logger.info({ queue: config.name, arguments: expected }, 'rabbitmq queue declared');
    return { actualArguments: expected, declared: true, warnings: [] };
  } catch (error) {
    const message = describeError(error);
    const warning =
      isTriageError(error) && error.code === 'CONFLICT'
        ? `the queue exists with other arguments than configured (${JSON.stringify(expected)}): ${message}`
        : `could not declare the queue: ${message}`;
    logger.warn({ queue: config.name, err: message }, 'rabbitmq queue declaration failed');
    return { actualArguments: null, declared: false, warnings: [warning] };
  }
}

/** Passive declare on a throwaway channel: true if the queue exists, false on 404. */
export async function queueExists(channels: ChannelSource, name: string): Promise<boolean> {
  return (await checkQueue(channels, name)) !== null;
}

/** Exact counts from a passive declare (not the lagging statistics); null when missing. */
export async function checkQueue(
  channels: ChannelSource,
  name: string,
): Promise<{ messageCount: number; consumerCount: number } | null> {
  try {
    const reply = await channels.withChannel((channel) => channel.checkQueue(name));
    return { messageCount: reply.messageCount, consumerCount: reply.consumerCount };
  } catch (error) {
    if (isTriageError(error) && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}

function mismatches(
  config: RabbitQueueConfig,
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  durable: boolean,
): string[] {
  const warnings: string[] = [];
  const keys = new Set([...Object.keys(expected), 'x-max-priority']);
  for (const key of keys) {
    const want = expected[key];
    const have = actual[key];
    if (sameValue(want, have)) continue;
    if (key === 'x-max-priority') {
      warnings.push(
        `configured x-max-priority ${want ?? 'none'} but the queue was declared with ${have ?? 'none'}; ` +
          'RabbitMQ cannot change queue arguments, so Triage uses the queue as declared. ' +
          'Delete and re-create the queue (and align every Celery producer) to change it.',
      );
    } else {
      warnings.push(`configured argument ${key}=${JSON.stringify(want)} but the queue has ${JSON.stringify(have ?? null)}`);
    }
  }
  if (config.durable !== durable) {
    warnings.push(`configured durable=${config.durable} but the queue is ${durable ? 'durable' : 'transient'}`);
  }
  return warnings;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
