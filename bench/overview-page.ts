/**
 * Overview page load with a large backlog, in a real browser (Playwright, Debian Chromium)
 * against a production server (`next start`) on a private redis-server, so exactly the
 * bench's queues are listed whatever else shares the machine's Redis:
 *
 *   npm run bench -- overview-page   (BENCH_QUEUES=30 BENCH_MESSAGES=1000000 BENCH_RUNS=5)
 *
 * TRIAGE_URL + TRIAGE_ADMIN_TOKEN (+ REDIS_URL of that server) measure a running server instead.
 *
 * Declares BENCH_QUEUES Redis queues of its own (kombu bindings), fills them with
 * BENCH_MESSAGES messages in total through the enqueue API (10,000 per request, priorities
 * 0–9), then loads `/` BENCH_RUNS times, each in a fresh browser context (empty cache,
 * signed in), and records: time to first byte, first contentful paint, DOMContentLoaded,
 * load, "numbers shown" (every bench queue's row shows its exact depth), and the main
 * thread's long-task blocking time until then. Then times the two reads the page makes,
 * GET /api/v1/queues and GET /api/v1/history, and deletes its queues.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { Redis } from 'ioredis';
import { WINDOWED_ABOVE } from '@/components/overview/queue-list';
import { KOMBU_DEFAULT_SEP } from '@/lib/shared/priority';
import { REDIS_URL, deleteKeysLike } from '@/test/support';
import { type PrivateRedis, type Server, median, privateRedis, startServer } from './support';

let URL_BASE = process.env.TRIAGE_URL ?? '';
let TOKEN = process.env.TRIAGE_ADMIN_TOKEN ?? '';
const DEFAULT_QUEUES = 30;
const QUEUES = Number(process.env.BENCH_QUEUES ?? DEFAULT_QUEUES);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PER_REQUEST = 10_000;
/** Rows of a 900-pixel viewport, at the least. */
const SCREENFUL = 8;

const prefix = `bench-page-${randomUUID().slice(0, 6)}`;
const names = Array.from({ length: QUEUES }, (_, i) => `${prefix}-q${String(i).padStart(2, '0')}`);

async function api<T>(method: string, pathname: string, body?: unknown): Promise<T> {
  const res = await fetch(`${URL_BASE}${pathname}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname}: HTTP ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** `depth` per queue, as the overview will show it. */
async function fill(redis: Redis): Promise<Map<string, number>> {
  // Declared the way a Celery app declares its queues; Triage enqueues only into existing ones.
  for (const name of names) await redis.sadd(`_kombu.binding.${name}`, `${name}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${name}`);
  const requests = Math.ceil(MESSAGES / PER_REQUEST);
  const depth = new Map(names.map((n) => [n, 0]));
  const started = Date.now();
  let next = 0;
  const sender = async () => {
    while (next < requests) {
      const i = next++;
      const name = names[i % QUEUES]!;
      const count = Math.min(PER_REQUEST, MESSAGES - i * PER_REQUEST);
      await api('POST', `/api/v1/queues/redis/${name}/tasks`, { task: 'triage.tasks.noop', priority: i % 10, count });
      depth.set(name, depth.get(name)! + count);
    }
  };
  await Promise.all(Array.from({ length: 4 }, sender));
  process.stdout.write(`filled ${MESSAGES} messages into ${QUEUES} queues in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return depth;
}

interface PageRun {
  ttfbMs: number;
  fcpMs: number;
  domContentLoadedMs: number;
  loadMs: number;
  numbersShownMs: number;
  blockingMs: number;
}

async function signedInState(browser: Browser): Promise<{ state: Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>>; user: string }> {
  const user = `bench-viewer-${randomUUID().slice(0, 8)}`;
  const password = `pw-${randomUUID()}`;
  await api('POST', '/api/v1/users', { name: user, password, role: 'viewer' });
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${URL_BASE}/login`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('user-name').waitFor();
  const state = await context.storageState();
  await context.close();
  return { state, user };
}

async function loadOnce(browser: Browser, state: Awaited<ReturnType<typeof signedInState>>['state'], depth: Map<string, number>): Promise<PageRun> {
  const context = await browser.newContext({ storageState: state, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Long tasks (> 50 ms) block input; their excess over 50 ms is the blocking time.
  await page.addInitScript(() => {
    const w = window as unknown as { __blocking: number };
    w.__blocking = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__blocking += Math.max(0, entry.duration - 50);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${URL_BASE}/`, { waitUntil: 'commit' });
  const expected = [...depth.entries()].map(([name, n]) => [`queue-depth-redis-${name}`, n] as const);
  // Above WINDOWED_ABOVE queues the page renders only the rows near the viewport: then the
  // first screenful must show, and every rendered bench row its exact depth.
  const mustRender = QUEUES > WINDOWED_ABOVE ? SCREENFUL : QUEUES;
  const numbersShownMs = await page.waitForFunction(
    ({ rows, mustRender }) => {
      const shown = rows.flatMap(([id, n]) => {
        const cell = document.querySelector(`[data-testid="${id}"]`);
        return cell ? [Number((cell.textContent ?? '').replace(/[^0-9]/g, '')) === n] : [];
      });
      return shown.length >= mustRender && shown.every(Boolean) ? performance.now() : false;
    },
    { rows: expected, mustRender },
    { timeout: 120_000, polling: 'raf' },
  );
  const shown = (await numbersShownMs.jsonValue()) as number;
  await page.waitForLoadState('load');
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      ttfbMs: nav.responseStart,
      fcpMs: fcp?.startTime ?? Number.NaN,
      domContentLoadedMs: nav.domContentLoadedEventEnd,
      loadMs: nav.loadEventEnd,
      blockingMs: (window as unknown as { __blocking: number }).__blocking,
    };
  });
  await context.close();
  return { ...timing, numbersShownMs: shown };
}

async function timeGet(pathname: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await api('GET', pathname);
    out.push(performance.now() - started);
  }
  return out;
}

const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)}` : 'n/a');

export async function main(): Promise<void> {
  let own: { redis: PrivateRedis; server: Server } | null = null;
  if (!URL_BASE) {
    const privateServer = await privateRedis();
    own = { redis: privateServer, server: await startServer({ REDIS_URL: privateServer.url, TRIAGE_BROKERS: 'redis' }) };
    URL_BASE = own.server.url;
    TOKEN = own.server.headers.authorization!.slice('Bearer '.length);
  } else if (!TOKEN) {
    throw new Error('TRIAGE_ADMIN_TOKEN is required with TRIAGE_URL (an admin bearer token of the server under test)');
  }
  const redis = new Redis(own?.redis.url ?? REDIS_URL);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  let user: string | null = null;
  try {
    const depth = await fill(redis);
    const signedIn = await signedInState(browser);
    user = signedIn.user;
    const listed = await api<{ queues: { name: string }[] }>('GET', '/api/v1/queues');
    const runs: PageRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await loadOnce(browser, signedIn.state, depth);
      process.stdout.write(`run ${i + 1}: numbers shown after ${ms(run.numbersShownMs)} ms\n`);
      runs.push(run);
    }
    const queuesApi = await timeGet('/api/v1/queues', 10);
    const historyApi = await timeGet('/api/v1/history?range=15m', 10);
    const at = new Date().toISOString();
    const col = (key: keyof PageRun) => runs.map((r) => r[key]);
    const row = (label: string, key: keyof PageRun) => `| ${label} | ${ms(median(col(key)))} | ${col(key).map(ms).join(', ')} |`;
    const lines = [
      '# Overview page load',
      '',
      `Command: \`${QUEUES === DEFAULT_QUEUES ? '' : `BENCH_QUEUES=${QUEUES} BENCH_MESSAGES=${MESSAGES} BENCH_RUNS=${RUNS} `}npm run bench -- overview-page\`.`,
      '',
      `${at}, ${cpus().length} CPUs. ${QUEUES} Redis queues holding ${MESSAGES.toLocaleString('en-US')} waiting messages (priorities 0–9),`,
      `${listed.queues.length} queues listed in total. Production server (\`next start\`), Debian Chromium`,
      `via Playwright, a fresh browser context (empty cache) per run, signed in. Median of ${RUNS} runs; times in ms from navigation start.`,
      QUEUES > WINDOWED_ABOVE
        ? `"Numbers shown" = the first ${SCREENFUL} rows show, each bench row rendered shows its exact depth (above ${WINDOWED_ABOVE} queues only rows near the viewport render); blocking = long-task time over 50 ms until then.`
        : '"Numbers shown" = every bench queue\'s row shows its exact depth; blocking = long-task time over 50 ms until then.',
      '',
      '| measure | median ms | runs |',
      '|---|---:|---|',
      row('time to first byte', 'ttfbMs'),
      row('first contentful paint', 'fcpMs'),
      row('DOMContentLoaded', 'domContentLoadedMs'),
      row('load', 'loadMs'),
      row('numbers shown', 'numbersShownMs'),
      row('main-thread blocking', 'blockingMs'),
      '',
      '| API read (10 calls) | median ms | max ms |',
      '|---|---:|---:|',
      `| GET /api/v1/queues | ${ms(median(queuesApi))} | ${ms(Math.max(...queuesApi))} |`,
      `| GET /api/v1/history?range=15m | ${ms(median(historyApi))} | ${ms(Math.max(...historyApi))} |`,
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const dir = path.join(process.cwd(), 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    // The default run's table is the committed one; other sizes get a file of their own.
    const table = QUEUES === DEFAULT_QUEUES ? 'overview-page.md' : `overview-page-${QUEUES}-queues.md`;
    writeFileSync(path.join(dir, table), lines.join('\n'));
    writeFileSync(
      path.join(dir, `overview-page-${at.replace(/[:.]/g, '-')}.json`),
      JSON.stringify({ at, queues: QUEUES, messages: MESSAGES, runs, queuesApi, historyApi }, null, 2),
    );
  } finally {
    await browser.close();
    if (user) await api('DELETE', `/api/v1/users/${encodeURIComponent(user)}`).catch(() => undefined);
    await deleteKeysLike(redis, prefix);
    redis.disconnect();
    await own?.server.stop();
    await own?.redis.stop();
  }
}

// Run directly (`npx tsx bench/overview-page.ts`) as well as through bench/run.ts.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
