/**
 * Standing rules on Redis, on private redis-servers (one broker, one state):
 * - lag: 2,000 messages/s of one task arrive at P1 for BENCH_RULE_SECONDS while a rule sets
 *   them to P8; the rule loop runs as its own process (scripts/rule-loop.ts). Sampled every
 *   100 ms: the age of the oldest message still at P1 (the list's tail), and, at the end,
 *   how long until none is left. Target ≤ 2 s.
 * - idle: the broker redis-server's CPU (utime+stime from /proc) over BENCH_IDLE_SECONDS with
 *   0 arrivals and 10,000 messages waiting, with the loop running an active rule on that
 *   queue vs no loop at all. Target: adds ≤ 5% of one core.
 *
 * `npm run bench -- rules`. Env: BENCH_RULE_SECONDS (default 20), BENCH_IDLE_SECONDS (default 30).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { buildTaskMessage, toRedisPayload } from '@/lib/shared/celery-codec';
import { KOMBU_DEFAULT_SEP, stepFor } from '@/lib/shared/priority';
import { PAYLOAD, type Figure, log, privateRedis, report, runIfMain } from './support';

const RULE_SECONDS = Number(process.env.BENCH_RULE_SECONDS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const RATE = 2000;
const TICK_MS = 50;
const PREFIX = 'bench-rules:';
const TASK = 'bench.tasks.report';

/** kombu's list of a step with the default steps [0, 3, 6, 9]. */
const listOf = (queue: string, step: number) => (step === 0 ? queue : `${queue}${KOMBU_DEFAULT_SEP}${step}`);

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startLoop(configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'rule-loop.ts')], { env: { ...process.env, TRIAGE_CONFIG: configFile, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('leading') && resolve(child)));
}

async function addRule(state: Redis, queue: string, action: object): Promise<void> {
  const id = `bench-${queue}`;
  const rule = { id, broker: 'redis', queue, match: { task: 'report', priorities: [1] }, action, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3600_000).toISOString(), createdBy: 'bench' };
  await state.hset(`${PREFIX}rules`, id, JSON.stringify(rule));
}

function payload(queue: string, i: number): string {
  return toRedisPayload(buildTaskMessage({ task: TASK, args: [PAYLOAD, i], kwargs: { sentAt: Date.now() } }, 1), { routingKey: queue });
}

export async function main(): Promise<void> {
  const broker = await privateRedis();
  const state = await privateRedis();
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-rules-'));
  const configFile = path.join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ statePrefix: PREFIX, stateRedisUrl: state.url, brokers: [{ id: 'redis', kind: 'redis', url: broker.url }] }));
  const figures: Figure[] = [];
  try {
    // --- idle: 10,000 waiting, nothing arriving
    const idleQueue = 'bench-idle';
    for (let i = 0; i < 10; i++) await broker.client.lpush(listOf(idleQueue, stepFor(1)), ...Array.from({ length: 1000 }, (_, j) => payload(idleQueue, i * 1000 + j)));
    await broker.client.sadd(`_kombu.binding.${idleQueue}`, `${idleQueue}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${idleQueue}`);
    const measure = async () => {
      const before = cpuSeconds(broker.pid);
      await sleep(IDLE_SECONDS * 1000);
      return ((cpuSeconds(broker.pid) - before) / IDLE_SECONDS) * 100;
    };
    log('idle, no loop…');
    const bare = await measure();
    await addRule(state.client, idleQueue, { priority: 8 });
    const loop = await startLoop(configFile);
    log('idle, loop with an active rule…');
    const withLoop = await measure();
    figures.push({ figure: 'broker CPU at 0 arrivals, loop with a rule vs no loop', unit: '% of a core', triage: withLoop, baseline: bare, baselineName: 'no loop', goal: null });
    figures.push({ figure: 'CPU the loop adds to the idle broker', unit: '% of a core', triage: withLoop - bare, baseline: null, baselineName: '', goal: { limit: 5 } });

    // --- lag: 2,000/s arriving at P1, the rule sets them to P8
    const queue = 'bench-flood';
    await broker.client.sadd(`_kombu.binding.${queue}`, `${queue}${KOMBU_DEFAULT_SEP}${KOMBU_DEFAULT_SEP}${queue}`);
    await addRule(state.client, queue, { priority: 8 });
    // The rule applies to what arrives after the loop first marked the queue: wait for that mark.
    while (!(await state.client.hexists(`${PREFIX}rules:cursors`, `redis/${queue}`))) await sleep(20);
    const p1 = listOf(queue, stepFor(1));
    const lags: number[] = [];
    let sent = 0;
    const started = Date.now();
    const sampler = setInterval(() => {
      void broker.client.lindex(p1, -1).then((oldest) => {
        if (!oldest) return lags.push(0);
        const body = JSON.parse(Buffer.from((JSON.parse(oldest) as { body: string }).body, 'base64').toString()) as [unknown, { sentAt: number }];
        lags.push(Date.now() - body[1].sentAt);
      }, (error: unknown) => log(`lag sample failed: ${String(error)}`));
    }, 100);
    while (Date.now() - started < RULE_SECONDS * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE);
      if (due > sent) {
        await broker.client.lpush(p1, ...Array.from({ length: due - sent }, (_, i) => payload(queue, sent + i)));
        sent = due;
      }
      await sleep(TICK_MS);
    }
    const stoppedAt = Date.now();
    // Bounded: a loop that stopped keeping up shows as a lag over the target, not a hung bench.
    while ((await broker.client.llen(p1)) > 0 && Date.now() - stoppedAt < 60_000) await sleep(20);
    const drainMs = Date.now() - stoppedAt;
    clearInterval(sampler);
    const moved = await broker.client.llen(listOf(queue, stepFor(8)));
    loop.kill('SIGTERM');
    log(`sent ${sent}, at P8 ${moved}, samples ${lags.length}`);
    const sorted = [...lags].sort((a, b) => a - b);
    figures.push({ figure: `max lag at ${RATE}/s over ${RULE_SECONDS} s (oldest message still at P1)`, unit: 'ms', triage: sorted.at(-1) ?? 0, baseline: null, baselineName: '', goal: { limit: 2000 } });
    figures.push({ figure: 'p50 lag', unit: 'ms', triage: sorted[Math.floor(sorted.length / 2)] ?? 0, baseline: null, baselineName: '', goal: null });
    figures.push({ figure: 'lag at the end (last arrival until none left at P1)', unit: 'ms', triage: drainMs, baseline: null, baselineName: '', goal: { limit: 2000 } });
    figures.push({ figure: 'messages moved / sent', unit: '', triage: moved, baseline: sent, baselineName: 'sent', goal: { min: 1 } });
  } catch (error) {
    // A run that fails is most often Redis blocked by a slow script: show which.
    const slow = (await broker.client.call('SLOWLOG', 'GET', '5').catch(() => [])) as unknown[];
    log(`slowlog: ${JSON.stringify(slow).slice(0, 3000)}`);
    throw error;
  } finally {
    await broker.stop();
    await state.stop();
  }
  report(
    'rules',
    'Standing rules on Redis: lag at 2,000 arrivals/s and idle broker CPU',
    [
      '',
      'Private redis-servers (broker, state); the rule loop is scripts/rule-loop.ts in its own process, tick 300 ms.',
      'Arrivals are pushed by the bench as a Celery producer would (LPUSH of kombu envelopes), in 50 ms slices.',
    ],
    figures,
    { sustained: true },
  );
}

runIfMain(import.meta.url, main);
