import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Every route handler file under app/ (the API and /metrics), found on disk (not from a list), with the role each
 * method needs. A route added later is covered automatically: it gets the default rule
 * (reads: viewer; mutations: operator) unless the table below says otherwise, so a new route
 * that forgets its role check fails the access-control suite.
 */

export type Requirement = 'public' | 'viewer' | 'operator' | 'admin';
export type Handler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** First match wins; `pattern` is matched against the folder path, e.g. /api/v1/tokens/[name]. */
export const ROLE_RULES: { methods: readonly string[] | '*'; pattern: RegExp; role: Requirement; why: string }[] = [
  { methods: ['GET'], pattern: /^\/api\/v1\/health$/, role: 'public', why: 'load balancers and the login page probe it' },
  { methods: ['POST'], pattern: /^\/api\/v1\/auth\/login$/, role: 'public', why: 'how credentials are obtained' },
  { methods: '*', pattern: /^\/api\/\[\.\.\.\w+\]$/, role: 'public', why: 'catch-all: answers 404 for unknown API paths' },
  { methods: ['GET', 'POST'], pattern: /^\/api\/v1\/auth\/(me|logout)$/, role: 'viewer', why: 'any signed-in caller' },
  { methods: ['GET'], pattern: /^\/api\/v1\/search$/, role: 'viewer', why: 'finding a task by id (prefix) is reading' },
  { methods: ['GET'], pattern: /^\/metrics$/, role: 'viewer', why: 'any token, unless auth.metricsPublic' },
  { methods: '*', pattern: /\/purge$/, role: 'admin', why: 'product.md §4: purge is admin only' },
  { methods: '*', pattern: /^\/api\/v1\/archives\/.*\/restore$/, role: 'admin', why: 'product.md §4' },
  { methods: ['GET'], pattern: /^\/api\/v1\/queues\/\[broker\]\/\[queue\]\/archives$/, role: 'viewer', why: 'when, who, how many: no message contents; restoring needs admin' },
  { methods: '*', pattern: /^\/api\/v1\/(tokens|users)(\/|$)/, role: 'admin', why: 'user and token admin' },
  { methods: '*', pattern: /^\/api\/v1\/alerts\/config$/, role: 'admin', why: 'webhook URLs are credentials (Slack); issue 20: admins edit alert settings' },
  { methods: ['PUT'], pattern: /^\/api\/v1\/slos$/, role: 'admin', why: 'issue 20: admins edit SLOs' },
  { methods: ['GET'], pattern: /^\/api\/v1\/security-log$/, role: 'admin', why: 'failed logins name users and addresses' },
];

export function requiredRole(method: string, folder: string): Requirement {
  for (const rule of ROLE_RULES) {
    if ((rule.methods === '*' || rule.methods.includes(method)) && rule.pattern.test(folder)) return rule.role;
  }
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'viewer' : 'operator';
}

export const isMutationMethod = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method);

export interface RouteMethod {
  /** e.g. /api/v1/queues/[broker]/[queue]/tasks */
  folder: string;
  method: string;
  handler: Handler;
  /** Dynamic segment names in order, e.g. ['broker', 'queue']; `...path` for catch-alls. */
  segments: string[];
}

function findRouteFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findRouteFiles(full));
    else if (/^route\.(ts|tsx|js|mjs)$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

export async function discoverRoutes(root = path.join(process.cwd(), 'app')): Promise<RouteMethod[]> {
  const out: RouteMethod[] = [];
  for (const file of findRouteFiles(root)) {
    // Route groups, `(name)`, are not part of the URL.
    const folder = ('/' + path.relative(root, path.dirname(file)).split(path.sep).filter((s) => !/^\(.*\)$/.test(s)).join('/')).replace(/\/$/, '') || '/';
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const segments = [...folder.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    for (const method of HTTP_METHODS) {
      if (typeof mod[method] === 'function') out.push({ folder, method, handler: mod[method] as Handler, segments });
    }
  }
  return out;
}

/** Fills a folder path with concrete values: `values[name]` or a generic placeholder. */
export function concretePath(folder: string, values: Record<string, string>): { url: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const url = folder.replace(/\[([^\]]+)\]/g, (_, raw: string) => {
    const catchAll = raw.startsWith('...') || raw.startsWith('[...');
    const name = raw.replace(/^\[?\.\.\./, '').replace(/\]$/, '');
    const value = values[name] ?? `probe-${name}`;
    params[name] = catchAll ? value.split('/') : value;
    return encodeURIComponent(value);
  });
  return { url, params };
}

/** Calls a handler; never hangs on a streaming answer (server-sent events). */
export async function invoke(
  handler: Handler,
  method: string,
  url: string,
  params: Record<string, string | string[]>,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string; contentType: string }> {
  const controller = new AbortController();
  const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...options.headers }, signal: controller.signal };
  if (options.body !== undefined && method !== 'GET' && method !== 'HEAD') init.body = options.body;
  const response = await handler(new Request(`http://localhost${url}`, init), { params: Promise.resolve(params) });
  const contentType = response.headers.get('content-type') ?? '';
  let text = '';
  if (contentType.startsWith('text/event-stream')) {
    await response.body?.cancel();
    controller.abort();
  } else {
    text = await response.text();
  }
  return { status: response.status, text, contentType };
}

/** A chunked body of `total` bytes, made only as fast as the server reads it; `pulled` counts what was asked for. */
export function endlessBody(total: number): { stream: ReadableStream<Uint8Array>; counter: { pulled: number } } {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}
