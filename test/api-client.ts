import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await handler(new Request(`http://localhost${url}`, init), { params: Promise.resolve(params) });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Writes a TRIAGE_CONFIG file for one test file and points the env at it. */
export function useConfig(config: object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'triage-test-'));
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  process.env.TRIAGE_CONFIG = file;
  return file;
}
