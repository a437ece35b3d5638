import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Tests act as an admin automation client by default: the bootstrap token is read when
 * the server runtime loads its config, so it is set before any route runs.
 */
export const TEST_ADMIN_TOKEN = (process.env.TRIAGE_ADMIN_TOKEN ??= 'test-admin-token');

/** Calls Next route handlers directly with real Requests, as the server would. */
type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
}

export async function call<T = unknown>(
  handler: Handler,
  method: string,
  url: string,
  params: Record<string, string> = {},
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  // Pass `authorization: ''` to call without credentials.
  const merged: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...headers };
  if (!merged.authorization) delete merged.authorization;
  const init: RequestInit = { method, headers: merged };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await handler(new Request(`http://localhost${url}`, init), { params: Promise.resolve(params) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Writes a TRIAGE_CONFIG file for one test file and points the env at it. */
export function writeTestConfig(config: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-test-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  process.env.TRIAGE_CONFIG = file;
  return file;
}

/** Same as writeTestConfig; the name predates it. */
export const useConfig = writeTestConfig;
