import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
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
