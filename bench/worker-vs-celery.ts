/**
 * `npm run bench -- worker-vs-celery`: the bundled worker against a real Celery worker
 * (Debian python3-celery, `-P prefork -c 1` and `-c 8`, acks_late, prefetch multiplier 1,
 * Redis `queue_order_strategy=priority`), each draining the same queue contents (the
 * same shuffled priorities, 600-byte bodies, `triage.tasks.noop`), on each broker.
 * Triage runs at concurrency 1 against `-c 1` and 8 against `-c 8`: the same priority
 * guarantee (at most one unacknowledged task per slot). Skipped, with the reason, when
 * Celery is not installed.
 *
 * Celery's rate is read from outside: the queue (plus, on Redis, kombu's unacked hash) is
 * polled every 10 ms from the first task taken to empty, so start-up is not counted. On
 * RabbitMQ only ready messages are visible, which ends the clock up to 8 tasks early
 * (in Celery's favour).
 *
 * Env: BENCH_CELERY_TASKS (default 2000 per run), BENCH_CELERY_SLOW_TASKS (Redis at -c 1, default
 * 40: Celery 5.2 there, with acks_late and prefetch 1, takes a task every few seconds), BENCH_RUNS,
 * BENCH_WARMUP (rounds of 20,000 Triage tasks per concurrency first, unmeasured; default 1).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { connect } from 'amqplib';
import { Redis } from 'ioredis';
import type { RedisBrokerConfig } from '@/lib/brokers/redis/config';
import { plainLayout } from '@/lib/brokers/redis/layout';
import type { EnqueueItem, QueueBroker } from '@/lib/brokers/types';
import { AMQP_URL, RUNS, REDIS_URL, benchIds, cleanup, figure, noopItems, openBroker, progress, rate, triageRun, writeResults, type BenchIds, type Figure } from './worker-common';
import { WARMUP_ROUNDS } from './support';

const TASKS = Number(process.env.BENCH_CELERY_TASKS ?? 2000);
const SLOW_TASKS = Number(process.env.BENCH_CELERY_SLOW_TASKS ?? 40);
// As many as a round of the other worker benches.
const WARMUP_TASKS = 20000;
const PYTHON = process.env.TRIAGE_CELERY_PYTHON ?? '/usr/bin/python3';
const POLL_MS = 10;
const CONCURRENCIES = [1, 8];

function celeryMissing(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import celery, kombu, redis, amqp; print(celery.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `real Celery is not installed (${PYTHON}: apt-get install python3-celery python3-redis python3-amqp)`;
}

function startCelery(ids: BenchIds, kind: 'redis' | 'rabbitmq', concurrency: number, storeResults: boolean): ChildProcess {
  const env = {
    ...process.env,
    BENCH_RESULT_URL: storeResults ? REDIS_URL : '',
    BENCH_BROKER_URL: kind === 'redis' ? REDIS_URL : AMQP_URL,
    BENCH_QUEUE: ids.queue,
    BENCH_PREFIX: kind === 'redis' ? ids.keyprefix : '',
    PYTHONPATH: path.join(process.cwd(), 'bench'),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const args = ['-m', 'celery', '-A', 'worker_celery_app', 'worker', '-P', 'prefork', '-c', String(concurrency), '--prefetch-multiplier', '1', '-Q', ids.queue];
  args.push('-n', `bench-${ids.id}-${concurrency}@%h`, '-l', 'warning', '--without-mingle', '--without-gossip', '--without-heartbeat');
  const child = spawn(PYTHON, args, { env, cwd: path.join(process.cwd(), 'bench'), stdio: ['ignore', 'ignore', process.env.BENCH_DEBUG ? 'inherit' : 'pipe'] });
  child.stderr?.resume();
  return child;
}

async function stopCelery(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Messages not yet finished: waiting in the queue, plus (Redis) taken but not acked. */
function pendingCounter(ids: BenchIds, kind: 'redis' | 'rabbitmq'): { count(): Promise<number>; close(): Promise<void> } {
  if (kind === 'redis') {
    const client = new Redis(REDIS_URL);
    const config = ids.config.brokers.find((b) => b.id === 'redis') as RedisBrokerConfig;
    const keys = plainLayout(config, ids.queue, undefined).lists.map((l) => l.key);
    return {
      count: async () => {
        const pipeline = client.pipeline();
        for (const key of keys) pipeline.llen(key);
        pipeline.hlen(`${ids.keyprefix}unacked`);
        const replies = (await pipeline.exec()) ?? [];
        return replies.reduce((sum, [, n]) => sum + Number(n), 0);
      },
      close: async () => client.disconnect(),
    };
  }
  const model = connect(AMQP_URL, { noDelay: true }).then(async (m) => ({ m, channel: await m.createChannel() }));
  return {
    count: async () => (await (await model).channel.checkQueue(ids.queue)).messageCount,
    close: async () => (await model).m.close(),
  };
}

async function celeryRun(broker: QueueBroker, ids: BenchIds, kind: 'redis' | 'rabbitmq', concurrency: number, items: EnqueueItem[], storeResults = false): Promise<number> {
  await broker.enqueue(ids.queue, items);
  const counter = pendingCounter(ids, kind);
  const child = startCelery(ids, kind, concurrency, storeResults);
  try {
    let start: { at: number; pending: number } | null = null;
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`celery worker exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('celery did not drain the queue within 10 minutes');
      const pending = await counter.count();
      const at = performance.now();
      if (!start && pending < items.length) start = { at, pending };
      if (start && pending === 0) return start.pending / ((at - start.at) / 1000);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await stopCelery(child);
    await counter.close().catch(() => {});
  }
}

export async function main(): Promise<void> {
  const missing = celeryMissing();
  if (missing) {
    process.stdout.write(`worker-vs-celery skipped: ${missing}\n`);
    return;
  }
  const figures: Figure[] = [];
  const samples: Record<string, number[]> = {};
  for (const kind of ['redis', 'rabbitmq'] as const) {
    const ids = benchIds(`wvc-${kind}`);
    const state = new Redis(REDIS_URL);
    const broker = await openBroker(ids, kind);
    try {
      if (!broker) continue;
      // Celery starts a fresh worker process for each run; Triage's worker runs in this
      // process, so its warm-up rounds come first (see WARMUP_ROUNDS).
      for (let round = 0; round < WARMUP_ROUNDS; round++) {
        for (const concurrency of CONCURRENCIES) progress(`${kind} c${concurrency} warm-up: triage ${rate(await triageRun(broker, ids, state, concurrency, WARMUP_TASKS))}/s`);
      }
      for (const concurrency of CONCURRENCIES) {
        const triage: number[] = [];
        const celery: number[] = [];
        // Celery storing every result does the work Triage's task records do. Only on
        // RabbitMQ: Celery on Redis at -c 1 is bound by its 1 s poll, not by what it stores.
        const withResults = kind === 'rabbitmq';
        const celeryStoring: number[] = [];
        const tasks = kind === 'redis' && concurrency === 1 ? SLOW_TASKS : TASKS;
        for (let r = 0; r < RUNS; r++) {
          const items = noopItems(tasks);
          celery.push(await celeryRun(broker, ids, kind, concurrency, items));
          if (withResults) celeryStoring.push(await celeryRun(broker, ids, kind, concurrency, items, true));
          triage.push(await triageRun(broker, ids, state, concurrency, tasks, items));
          const storing = withResults ? `, celery storing results ${rate(celeryStoring[r]!)}/s` : '';
          progress(`${kind} c${concurrency} run ${r + 1}: triage ${rate(triage[r]!)}/s, celery ${rate(celery[r]!)}/s${storing}`);
        }
        samples[`${kind}-c${concurrency}-triage`] = triage;
        samples[`${kind}-c${concurrency}-celery`] = celery;
        figures.push(figure({ figure: `${kind}, concurrency ${concurrency}`, baseline: `Celery prefork -c ${concurrency}`, target: '≥ 3' }, triage, celery));
        if (withResults) {
          samples[`${kind}-c${concurrency}-celery-results`] = celeryStoring;
          figures.push(
            figure({ figure: `${kind}, concurrency ${concurrency}`, baseline: `Celery prefork -c ${concurrency}, Redis result backend`, target: '—' }, triage, celeryStoring),
          );
        }
      }
    } finally {
      await broker?.close().catch(() => {});
      state.disconnect();
      await cleanup(ids, [`_kombu.binding.${ids.queue}*`]);
    }
  }
  writeResults(
    'worker-vs-celery',
    'Bundled worker vs a real Celery worker: no-op tasks',
    [
      `${TASKS} tasks per run (${SLOW_TASKS} on Redis at concurrency 1), the same queue contents for both. Celery ${spawnSync(PYTHON, ['-c', 'import celery; print(celery.__version__)'], { encoding: 'utf8' }).stdout.trim()} prefork, acks_late, prefetch multiplier 1, no result backend; Redis: queue_order_strategy=priority.`,
      "Triage = the bundled worker's pipeline (task record + 3 events per task in the state Redis, which Celery without a result backend does not write).",
      'On RabbitMQ Celery also runs with a Redis result backend (every result stored, expiring after 2 minutes): the nearest Celery equivalent of those records.',
      "Celery's clock runs from its first task taken to an empty queue (polled every 10 ms), so its start-up is not counted.",
    ],
    figures,
    { tasks: TASKS, slowTasks: SLOW_TASKS, samples },
  );
}
