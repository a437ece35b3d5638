/**
 * Broker cost of the live overview with 1 vs N open tabs, against a running Triage server.
 * Each "tab" is an open GET /api/v1/events stream (what the overview holds open); the broker
 * Redis's `INFO commandstats` is read before and after a fixed window. For contrast, the
 * same with N tabs polling GET /api/v1/queues + /api/v1/health every 2 s (the fallback).
 *
 *   npx tsx bench/live-tabs.ts --url http://localhost:3000 --token $TRIAGE_ADMIN_TOKEN \
 *     --broker redis://127.0.0.1:6379/0 --tabs 20 --seconds 30
 *
 * Use a broker Redis nothing else talks to (commandstats is server-wide).
 */
import { Redis } from 'ioredis';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const url = args.get('url') ?? 'http://localhost:3000';
const token = args.get('token') ?? process.env.TRIAGE_ADMIN_TOKEN ?? '';
const brokerUrl = args.get('broker') ?? 'redis://127.0.0.1:6379/0';
const tabs = Number(args.get('tabs') ?? 20);
const seconds = Number(args.get('seconds') ?? 30);
const headers = { authorization: `Bearer ${token}` };

async function totalCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Opens `n` event streams and reads them (discarding data) until aborted. */
async function openStreams(n: number, signal: AbortSignal): Promise<void> {
  const ready: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    ready.push(
      (async () => {
        const res = await fetch(`${url}/api/v1/events`, { headers, signal });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        const reader = res.body.getReader();
        await reader.read(); // the first chunk: the stream is live
        void (async () => {
          try {
            for (;;) if ((await reader.read()).done) break;
          } catch {
            // aborted
          }
        })();
      })(),
    );
  }
  await Promise.all(ready);
}

function startPolling(n: number, signal: AbortSignal): void {
  for (let i = 0; i < n; i++) {
    void (async () => {
      while (!signal.aborted) {
        await Promise.all(['/api/v1/queues', '/api/v1/health'].map((p) => fetch(`${url}${p}`, { headers, signal }).then((r) => r.text()).catch(() => '')));
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
  }
}

async function measure(label: string, setup: (signal: AbortSignal) => Promise<void> | void, redis: Redis) {
  const controller = new AbortController();
  await setup(controller.signal);
  // Let the server settle into the pace for this many listeners.
  await new Promise((r) => setTimeout(r, 3000));
  const before = await totalCalls(redis);
  const started = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const calls = (await totalCalls(redis)) - before - 1;
  const rate = calls / ((Date.now() - started) / 1000);
  controller.abort();
  console.log(`${label.padEnd(28)} ${String(calls).padStart(7)} broker commands in ${seconds}s = ${rate.toFixed(2)}/s`);
  await new Promise((r) => setTimeout(r, 1000));
  return rate;
}

async function main() {
  const redis = new Redis(brokerUrl);
  const idle = await measure('no tab (history only)', () => undefined, redis);
  const one = await measure('SSE, 1 tab', (s) => openStreams(1, s), redis);
  const many = await measure(`SSE, ${tabs} tabs`, (s) => openStreams(tabs, s), redis);
  const polling1 = await measure('polling, 1 tab', (s) => startPolling(1, s), redis);
  const pollingN = await measure(`polling, ${tabs} tabs`, (s) => startPolling(tabs, s), redis);
  console.log(`ratio SSE ${tabs}/1 = ${(many / one).toFixed(2)}; polling ${tabs}/1 = ${(pollingN / polling1).toFixed(2)}; idle = ${idle.toFixed(2)}/s`);
  await redis.quit();
}

void main();
