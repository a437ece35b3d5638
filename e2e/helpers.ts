import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type ConsoleMessage, type Locator, type Page } from '@playwright/test';
import type { Health, Queue } from '../lib/shared/types';

/**
 * Black-box helpers: the e2e suite talks to Triage over its HTTP API. Exceptions: it spawns
 * Triage's worker as a separate process, and it declares and afterwards deletes its own
 * uniquely named queues (broker-setup.ts, as a Celery app would; the API neither creates nor
 * removes queues).
 */

function headers(): Record<string, string> {
  const token = process.env.TRIAGE_ADMIN_TOKEN;
  return token ? { authorization: `Bearer ${token}` } : {};
}

function queuePath(broker: string, queue: string, suffix = ''): string {
  return `/api/v1/queues/${encodeURIComponent(broker)}/${encodeURIComponent(queue)}${suffix}`;
}

export async function getHealth(request: APIRequestContext): Promise<Health> {
  // Signed in: anonymous callers get the status only, without the brokers.
  const response = await request.get('/api/v1/health', { headers: headers() });
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
  countdown?: number;
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

/** A queue name no other test or helper uses: `e2e-<flow>-<random>`. */
export function uniqueQueue(flow: string): string {
  return `e2e-${flow}-${randomUUID().slice(0, 8)}`;
}

export interface WorkerInfoLite {
  id: string;
  queues: string[];
  stale: boolean;
  processed: number;
}

export async function listWorkers(request: APIRequestContext): Promise<WorkerInfoLite[]> {
  const response = await request.get('/api/v1/workers', { headers: headers() });
  expect(response.ok(), `GET /api/v1/workers: ${response.status()}`).toBe(true);
  return ((await response.json()) as { workers: WorkerInfoLite[] }).workers;
}

export interface SpawnedWorker {
  name: string;
  process: ChildProcess;
  /** The worker's id once it reported (GET /api/v1/workers). */
  id: string;
  /** SIGTERM, then wait for the exit (a graceful stop removes its worker record). */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts Triage's worker (the real entry point) for the given queues, with the server's
 * configuration and state prefix (inherited environment), instant demo tasks and fast
 * retries; resolves once the server lists it.
 */
export async function spawnWorker(
  request: APIRequestContext,
  options: { broker: string; queues: string[]; concurrency?: number; env?: Record<string, string> },
): Promise<SpawnedWorker> {
  const name = `e2e-worker-${randomUUID().slice(0, 8)}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'lib/worker/main.ts', '--broker', options.broker, '--queues', options.queues.join(','), '--concurrency', String(options.concurrency ?? 1), '--name', name],
    {
      cwd: process.cwd(),
      env: { ...process.env, TRIAGE_TASK_DURATION_SCALE: '0', TRIAGE_RETRY_BASE_MS: '20', TRIAGE_RETRY_MAX_MS: '100', LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let id = '';
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}: ${stderr}`);
        id = (await listWorkers(request)).find((w) => w.id.startsWith(`${name}:`))?.id ?? '';
        return id;
      },
      { message: `worker ${name} is listed`, timeout: 60_000 },
    )
    .not.toBe('');
  return {
    name,
    process: child,
    id,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
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

/**
 * A control request sent by the page itself, as the signed-in user: session cookie, same
 * Origin and CSRF token, like the dashboard's own buttons, so the audit log names that user.
 */
export async function postAsUser(page: Page, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ path, body }) => {
      const me = (await (await fetch('/api/v1/auth/me')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as unknown };
    },
    { path, body },
  );
}

/** How a button looks: its cursor, and whether its fill has color (a live primary or danger button) or is grey. */
export async function buttonLooks(button: Locator): Promise<{ cursor: string; saturated: boolean }> {
  return button.evaluate((el) => {
    const style = getComputedStyle(el);
    // Tailwind's colors are oklch(): a canvas turns any CSS color into RGB.
    const context = document.createElement('canvas').getContext('2d')!;
    context.fillStyle = style.backgroundColor;
    context.fillRect(0, 0, 1, 1);
    const [r = 0, g = 0, b = 0, a = 0] = context.getImageData(0, 0, 1, 1).data;
    return { cursor: style.cursor, saturated: a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40 };
  });
}

/** A disabled button must not pass for a live one: a grey fill and a not-allowed cursor. */
export async function expectLooksDisabled(button: Locator): Promise<void> {
  expect(await buttonLooks(button)).toEqual({ cursor: 'not-allowed', saturated: false });
}

export { queuePath };

export interface ConsoleGuard {
  /** Declares a problem the journey causes on purpose: a URL (or console text) pattern, and optionally the HTTP status. */
  allow(pattern: RegExp, status?: number): void;
  /** Fails the test with every console error, page error and failed request seen so far that was not allowed. */
  assertClean(): void;
}

/**
 * The "no console errors in normal use" rule of the journeys. Call it before the page's
 * first navigation (so the login page is covered too) and `assertClean()` at the end:
 * any console error, uncaught page error, or request answered 4xx/5xx or failed on the
 * network that the journey did not `allow` fails the test. Aborted requests (a page left
 * while a fetch or the live stream was open) are normal and never count.
 */
export function guardConsole(page: Page): ConsoleGuard {
  const allowed: { pattern: RegExp; status?: number }[] = [];
  const problems: { text: string; url: string; status?: number }[] = [];
  const isAllowed = (url: string, text: string, status?: number) =>
    allowed.some((a) => (a.pattern.test(url) || a.pattern.test(text)) && (a.status === undefined || status === undefined || a.status === status));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    // "Failed to load resource: … 404": the failed request itself is judged below.
    const status = /status of (\d{3})/.exec(message.text())?.[1];
    problems.push({ text: `console: ${message.text()}`, url: message.location().url, ...(status ? { status: Number(status) } : {}) });
  });
  page.on('pageerror', (error) => problems.push({ text: `page error: ${error.message}`, url: '' }));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push({ text: `${response.request().method()} ${response.url()} → ${response.status()}`, url: response.url(), status: response.status() });
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    if (/ERR_ABORTED|NS_BINDING_ABORTED|cancelled/i.test(failure)) return;
    problems.push({ text: `${request.method()} ${request.url()} failed: ${failure}`, url: request.url() });
  });
  return {
    allow(pattern, status) {
      allowed.push({ pattern, ...(status !== undefined ? { status } : {}) });
    },
    assertClean() {
      const unexpected = problems.filter((p) => !isAllowed(p.url, p.text, p.status)).map((p) => p.text);
      expect(unexpected, 'console errors and failed requests the journey did not expect').toEqual([]);
    },
  };
}
