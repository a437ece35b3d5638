import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { Redis } from 'ioredis';
import { bindingKey, bindingMember } from '../lib/brokers/redis/keys';
import { KOMBU_DEFAULT_SEP } from '../lib/shared/priority';
import type { Health, Queue } from '../lib/shared/types';

/** Black-box helpers: the e2e suite talks to Triage only over its HTTP API, never to a broker. */

function headers(): Record<string, string> {
  const token = process.env.TRIAGE_ADMIN_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

function queuePath(broker: string, queue: string, suffix = ''): string {
  return `/api/v1/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queue)}${suffix}`;
}

export async function getHealth(request: APIRequestContext): Promise<Health> {
  const response = await request.get('/api/v1/health');
  expect(response.ok(), `GET /api/v1/health: ${response.status()}`).toBe(true);
  return (await response.json()) as Health;
}

export async function getQueue(request: APIRequestContext, broker: string, queue: string): Promise<Queue> {
  const response = await request.get(queuePath(broker, queue), { headers: headers() });
  expect(response.ok(), `GET ${queuePath(broker, queue)}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as Queue;
}

export interface EnqueueRequest {
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  priority?: number;
  count?: number;
}

export async function enqueue(
  request: APIRequestContext,
  broker: string,
  queue: string,
  body: EnqueueRequest,
): Promise<string[]> {
  const path = queuePath(broker, queue, '/tasks');
  const response = await request.post(path, { data: body, headers: headers() });
  expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(201);
  const { ids } = (await response.json()) as { ids: string[] };
  expect(ids).toHaveLength(body.count ?? 1);
  return ids;
}

/** The level a priority is counted under: the greatest level <= it (kombu steps, RabbitMQ maxima). */
export function levelFor(queue: Queue, priority: number): number {
  return [...queue.levels].sort((a, b) => a - b).filter((level) => level <= priority).pop() ?? 0;
}

export function countAt(queue: Queue, level: number): number {
  return queue.byPriority[String(level)] ?? 0;
}

/** Reads a number the UI formats for people ("1,234"). */
export async function readCount(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? '';
  return Number.parseInt(text.replace(/[^0-9]/g, ''), 10);
}

export interface TestUser {
  name: string;
  password: string;
  role: 'viewer' | 'operator' | 'admin';
}

/**
 * A user of its own for one test, made through the users API with the bootstrap admin token.
 * A fresh name per run keeps login throttling from one run out of the next.
 */
export async function createUser(request: APIRequestContext, role: TestUser['role'] = 'admin'): Promise<TestUser> {
  const user: TestUser = { name: `e2e-${role}-${randomUUID().slice(0, 8)}`, password: `pw-${randomUUID()}`, role };
  const response = await request.post('/api/v1/users', { data: user, headers: headers() });
  expect(response.status(), `POST /api/v1/users: ${await response.text()}`).toBe(201);
  return user;
}

export async function deleteUser(request: APIRequestContext, user: TestUser): Promise<void> {
  await request.delete(`/api/v1/users/${encodeURIComponent(user.name)}`, { headers: headers() });
}

/** Logs in through the login page (the session cookie lands in the page's context). */
export async function logIn(page: Page, user: TestUser, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('user-name')).toHaveText(user.name);
}

// ---------------------------------------------------------------------------
// Tasks and workers (enqueue, task page and search journeys).

/** A unique queue name for one journey, e.g. `e2e-enqueue-3f2a9c1b`. */
export function uniqueQueue(flow: string): string {
  return `e2e-${flow}-${randomUUID().slice(0, 8)}`;
}

/**
 * Declares a Redis queue the way a Celery app does when it starts (kombu binds the queue
 * to its direct exchange), since the API only enqueues to queues that exist. The one place
 * the journeys touch a broker: they play the Celery app here. Returns the undo, which also
 * removes the binding of the `<name>.dead` queue a worker may have declared.
 */
export async function declareRedisQueue(name: string): Promise<() => Promise<void>> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', { maxRetriesPerRequest: 2 });
  const opts = { prefix: '', sep: KOMBU_DEFAULT_SEP };
  await redis.sadd(bindingKey(opts, name), bindingMember(opts, name, name));
  return async () => {
    await redis.del(bindingKey(opts, name), bindingKey(opts, `${name}.dead`));
    await redis.quit();
  };
}

export interface TaskRecordView {
  id: string;
  task: string;
  broker: string;
  queue: string;
  priority: number;
  state: string;
  history: { state: string; at: string; worker?: string }[];
}

/** `GET /api/v1/tasks/{id}`; null while no worker has seen it. */
export async function getTask(request: APIRequestContext, id: string): Promise<TaskRecordView | null> {
  const response = await request.get(`/api/v1/tasks/${encodeURIComponent(id)}`, { headers: headers() });
  if (response.status() === 404) return null;
  expect(response.ok(), `GET /api/v1/tasks/${id}: ${response.status()}`).toBe(true);
  return (await response.json()) as TaskRecordView;
}

export interface MessageView {
  id: string;
  task: string;
  priority: number;
}

export async function getMessages(request: APIRequestContext, broker: string, queue: string): Promise<MessageView[]> {
  const path = queuePath(broker, queue, '/messages?limit=500');
  const response = await request.get(path, { headers: headers() });
  if (response.status() === 404) return [];
  expect(response.ok(), `GET ${path}: ${response.status()}`).toBe(true);
  return ((await response.json()) as { messages: MessageView[] }).messages;
}

/** Removes whatever a journey left in its own queue (by task name), through the API. */
export async function deleteTasksNamed(request: APIRequestContext, broker: string, queue: string, task: string): Promise<void> {
  await request.post(queuePath(broker, queue, '/delete'), { data: { match: { task } }, headers: headers() });
}

export interface WorkerProcess {
  name: string;
  stop(): Promise<void>;
}

/**
 * The bundled worker as a child process on the journey's own queues (the real entry point,
 * the server's configuration and state), instant demo durations and fast retries.
 * Resolves once the server lists it as a live worker.
 */
export async function startWorker(request: APIRequestContext, broker: string, queues: string[], env: Record<string, string> = {}): Promise<WorkerProcess> {
  const name = `e2e-worker-${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'lib/worker/main.ts', '--broker', broker, '--queues', queues.join(','), '--concurrency', '1', '--name', name],
    {
      cwd: process.cwd(),
      env: { ...process.env, TRIAGE_TASK_DURATION_SCALE: '0', TRIAGE_RETRY_BASE_MS: '50', TRIAGE_RETRY_MAX_MS: '200', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${output}`);
        const response = await request.get('/api/v1/workers', { headers: headers() });
        const { workers } = (await response.json()) as { workers: { id: string; hostname?: string; queues: string[] }[] };
        return workers.some((w) => (w.id.includes(name) || w.hostname === name) && queues.every((q) => w.queues.includes(q)));
      },
      { message: `worker ${name} online`, timeout: 60_000 },
    )
    .toBe(true);
  return {
    name,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
