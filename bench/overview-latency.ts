/**
 * Overview API latency with many queues and a large backlog, against a running Triage
 * server: fills `--queues` Redis queues with `--messages` messages in total through the
 * enqueue API (10,000 per request, mixed priorities), then times GET /api/v1/queues,
 * GET /metrics and the first `queues` event of GET /api/v1/events.
 *
 *   npx tsx bench/overview-latency.ts --url http://localhost:3000 --token $TRIAGE_ADMIN_TOKEN \
 *     --queues 30 --messages 1000000 [--skip-fill 1]
 *
 * Queues are named bench-q<i>; delete them afterwards (they are plain kombu lists).
 */
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const url = args.get('url') ?? 'http://localhost:3000';
const token = args.get('token') ?? process.env.TRIAGE_ADMIN_TOKEN ?? '';
const queues = Number(args.get('queues') ?? 30);
const messages = Number(args.get('messages') ?? 1_000_000);
const broker = args.get('broker') ?? 'redis';
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

async function fill(): Promise<void> {
  const perRequest = 10_000;
  const requests = Math.ceil(messages / perRequest);
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const res = await fetch(`${url}/api/v1/queues/${broker}/bench-q${i % queues}/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ task: 'bench.noop', args: [i], priority: i % 10, count: Math.min(perRequest, messages - i * perRequest) }),
      });
      if (res.status !== 201) throw new Error(`enqueue: HTTP ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  console.log(`filled ${messages} messages into ${queues} queues in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function summary(label: string, ms: number[]): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${label.padEnd(26)} n=${ms.length} p50=${at(0.5)} ms p95=${at(0.95)} ms max=${sorted.at(-1)!.toFixed(1)} ms`);
}

async function time(path: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const res = await fetch(`${url}${path}`, { headers });
    const body = await res.text();
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    out.push(performance.now() - started);
    if (i === 0 && path === '/api/v1/queues') {
      const total = (JSON.parse(body) as { queues: { depth: number }[] }).queues.reduce((s, q) => s + q.depth, 0);
      console.log(`GET /api/v1/queues lists ${total} waiting messages, ${(body.length / 1024).toFixed(0)} KB`);
    }
  }
  return out;
}

async function firstEvent(): Promise<number> {
  const controller = new AbortController();
  const started = performance.now();
  const res = await fetch(`${url}/api/v1/events`, { headers, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: queues')) text += decoder.decode((await reader.read()).value);
  const ms = performance.now() - started;
  controller.abort();
  return ms;
}

async function main() {
  if (!args.get('skip-fill')) await fill();
  summary('GET /api/v1/queues', await time('/api/v1/queues', 30));
  summary('GET /metrics', await time('/metrics', 10));
  const sse: number[] = [];
  for (let i = 0; i < 10; i++) sse.push(await firstEvent());
  summary('SSE first queues event', sse);
}

void main();
