import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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

function authHeaders(): Record<string, string> {
  return { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN ?? ''}` };
}

/** `e2e-<flow>-<random>`: never a queue another engineer's test (or the demo) uses. */
export function uniqueQueue(flow: string): string {
  return `e2e-${flow}-${randomUUID().slice(0, 8)}`;
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

/** The bundled worker on the given queues, as `npm run worker` starts it; resolves when it heartbeats. */
export async function startWorker(request: APIRequestContext, broker: string, queues: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const name = `e2e-worker-${randomUUID().slice(0, 8)}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/worker/main.ts', '--broker', broker, '--queues', queues.join(','), '--concurrency', '2'], {
    cwd: process.cwd(),
    env: { ...process.env, TRIAGE_WORKER_NAME: name, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await expect
    .poll(
      async () => {
        expect(child.exitCode, 'the worker exited early').toBeNull();
        const response = await request.get('/api/v1/workers', { headers: authHeaders() });
        const { workers } = (await response.json()) as { workers: { queues: string[] }[] };
        return workers.some((w) => queues.every((q) => w.queues.includes(q)));
      },
      { timeout: 60_000, message: 'the worker comes online' },
    )
    .toBe(true);
  return child;
}

/** SIGTERM (finish in-flight, take nothing new) and wait for the exit. */
export async function stopWorker(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
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
export async function declareRabbitQueue(name: string): Promise<void> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(name, { durable: true, arguments: { 'x-max-priority': 10 } });
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
