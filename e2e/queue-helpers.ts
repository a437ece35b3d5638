import { connect } from 'amqplib';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { bindingKey, bindingMember } from '../lib/brokers/redis/keys';
import { AMQP_URL, deleteKeysLike, rawRedis } from '../test/support';
import { getQueue } from './helpers';

/**
 * Queue-page journeys: unique queues of their own. Triage's API enqueues only into queues
 * that exist (configured, or declared by a producer or worker), so a journey declares its
 * Redis queue the way a Celery producer does (kombu's binding) and deletes its keys at the
 * end; everything in between goes through the HTTP API and the browser.
 */

// kombu's defaults (no global_keyprefix, sep "\x06\x16"), as the e2e server runs them.
const KOMBU = { prefix: '', sep: '\x06\x16' };

export async function declareRedisQueues(...names: string[]): Promise<void> {
  const redis = rawRedis();
  try {
    for (const name of names) await redis.sadd(bindingKey(KOMBU, name), bindingMember(KOMBU, name, name));
  } finally {
    redis.disconnect();
  }
}

/** Every key of these queues (step lists, binding, history): nothing of the journey stays behind. */
export async function removeRedisQueues(...names: string[]): Promise<void> {
  const redis = rawRedis();
  try {
    await deleteKeysLike(redis, ...names);
  } finally {
    redis.disconnect();
  }
}

export function queueUrl(broker: string, queue: string): string {
  return `/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queue)}`;
}

/** Waits until the API reports exactly these counts per priority (the UI is compared against the same). */
export async function expectByPriority(request: APIRequestContext, broker: string, queue: string, expected: Record<string, number>): Promise<void> {
  await expect
    .poll(async () => {
      const q = await getQueue(request, broker, queue);
      return Object.fromEntries(Object.keys(expected).map((level) => [level, q.byPriority[level] ?? 0]));
    })
    .toEqual(expected);
}

/** The per-priority count the queue page's header shows. */
export function headerCount(page: Page, broker: string, queue: string, level: number) {
  return page.getByTestId(`priority-count-${broker}-${queue}-${level}`);
}

/** Pushes bytes no Celery decoder accepts onto a queue's most urgent list, as a broken producer would. */
export async function pushUndecodable(queue: string, raw: string): Promise<void> {
  const redis = rawRedis();
  try {
    await redis.lpush(queue, raw);
  } finally {
    redis.disconnect();
  }
}

/** A classic priority queue on RabbitMQ, declared the way a Celery worker declares its queues. */
export async function declareRabbitQueue(name: string, maxPriority = 10): Promise<void> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(name, { durable: true, arguments: { 'x-max-priority': maxPriority } });
  } finally {
    await connection.close();
  }
}

export async function deleteRabbitQueue(name: string): Promise<void> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await channel.deleteQueue(name);
  } finally {
    await connection.close();
  }
}
