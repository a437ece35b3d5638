/**
 * Celery event ingestion under load: Celery's own EventDispatcher (bench/celery_events_publisher.py,
 * a separate Python process, as a worker is) publishes task and worker events at 2,000 events/s
 * for 60 s to a real broker; Triage's ingestor, subscribed through the broker's driver exactly
 * as lib/server/celery-ingest.ts does it, folds them into the task, worker and wait-time stores
 * of a private state Redis. Once a second the publisher names the task whose terminal event it
 * just published; the bench polls that task's record until it shows the end, which gives the
 * lag over the run (does it grow?), and the lag of the last event published (at the end).
 *
 * Applying each event on its own (a GET and a MULTI per event, before batching) kept up with
 * 2,000/s on an idle machine, but 15 s at 5,000/s ended 23 s behind; batched (one MGET and one
 * MULTI per batch), 15 s at 5,000/s ended 6 ms behind (`--rate 5000 --seconds 15`).
 *
 * `npm run bench -- celery-ingest-redis [--rate 2000] [--seconds 60]` (and `celery-ingest-rabbitmq`)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BrokerConfigSchema, subscribeCeleryEvents } from '@/lib/brokers/registry';
import { CeleryEventIngestor } from '@/lib/celery/ingest';
import { TaskStore } from '@/lib/state/task-store';
import { WaitTimeStore } from '@/lib/state/wait-times';
import { WorkerStore } from '@/lib/state/worker-store';
import { AMQP_URL, type Figure, flags, log, median, percentile, privateRedis, report, runIfMain } from './support';

const args = flags();
const RATE = Number(args.get('rate') ?? 2000);
const SECONDS = Number(args.get('seconds') ?? 60);
const PYTHON = process.env.TRIAGE_CELERY_PYTHON ?? '/usr/bin/python3';
// The end of a task must show within this, or the ingestor is not keeping up at all.
const GIVE_UP_MS = 120_000;
const POLL_MS = 5;

interface Sample {
  /** Seconds into the run. */
  atSec: number;
  lagMs: number;
}

/** Resolves with the time a task's record first shows a finished state. */
async function seen(tasks: TaskStore, id: string, deadline: number): Promise<number> {
  for (;;) {
    const record = await tasks.get(id);
    if (record && (record.state === 'succeeded' || record.state === 'failed')) return Date.now();
    if (Date.now() > deadline) throw new Error(`task ${id} not finished in its record after ${GIVE_UP_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function run(BROKER: string): Promise<void> {
  const state = await privateRedis();
  const brokerRedis = BROKER === 'redis' ? await privateRedis() : null;
  const brokerUrl = brokerRedis?.url ?? AMQP_URL;
  const config = BrokerConfigSchema.parse(BROKER === 'redis' ? { id: 'bench', kind: 'redis', url: brokerUrl } : { id: 'bench', kind: 'rabbitmq', url: brokerUrl });
  const tasks = new TaskStore(state.client, 'triage:');
  const errors: unknown[] = [];
  let received = 0;
  const ingestor = new CeleryEventIngestor('bench', tasks, new WorkerStore(state.client, 'triage:'), (e) => errors.push(e), () => {}, new WaitTimeStore(state.client, 'triage:'));
  const unsubscribe = await subscribeCeleryEvents(config, (events) => {
    received += events.length;
    void ingestor.push(events);
  });
  try {
    log(`celery-ingest: ${RATE} events/s for ${SECONDS} s to ${BROKER}`);
    const publisher = spawn(PYTHON, [path.join('bench', 'celery_events_publisher.py'), BROKER === 'redis' ? brokerUrl : `pyamqp://guest:guest@127.0.0.1:5672//`, String(RATE), String(SECONDS)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => publisher.on('exit', resolve));
    const probes: Promise<Sample>[] = [];
    let last: { at: number; events: number; tasks: number; seconds: number; lag: Promise<number> } | null = null;
    const startedAt = Date.now();
    const cpuBefore = process.cpuUsage();
    for await (const line of createInterface({ input: publisher.stdout })) {
      const message = JSON.parse(line) as { probe?: string; last?: string; at: number; events?: number; tasks?: number; seconds?: number };
      const publishedMs = message.at * 1000;
      const id = message.probe ?? message.last!;
      const lag = seen(tasks, id, Date.now() + GIVE_UP_MS).then((at) => Math.max(0, at - publishedMs));
      if (message.probe) probes.push(lag.then((lagMs) => ({ atSec: (publishedMs - startedAt) / 1000, lagMs })));
      else last = { at: publishedMs, events: message.events!, tasks: message.tasks!, seconds: message.seconds!, lag };
    }
    if ((await exited) !== 0 || !last) throw new Error('the publisher failed');
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (Date.now() - startedAt);
    const samples = await Promise.all(probes);
    const endLag = await last.lag;
    if (errors.length > 0) throw new Error(`${errors.length} batches not applied: ${String(errors[0])}`);
    const third = Math.floor(samples.length / 3);
    const early = samples.slice(0, third).map((s) => s.lagMs);
    const late = samples.slice(-third).map((s) => s.lagMs);
    const rate = last.events / last.seconds;
    log(`celery-ingest: lags ${samples.map((s) => Math.round(s.lagMs)).join(' ')} ms; end ${Math.round(endLag)} ms`);
    const figures: Figure[] = [
      { figure: 'events published per second (Celery EventDispatcher)', unit: '/s', triage: rate, baseline: RATE, baselineName: 'the rate asked for', goal: { min: 0.97 } },
      { figure: 'lag of the last event published (until its task record shows it)', unit: 'ms', triage: endLag, baseline: null, baselineName: '', goal: { limit: 1000 } },
      {
        figure: `lag, median of the last ${late.length} s vs the first ${early.length} s`,
        unit: 'ms',
        triage: median(late),
        baseline: median(early),
        baselineName: `first ${early.length} s`,
        goal: { limit: 1000 },
      },
      { figure: 'lag, max over the run (probed once a second)', unit: 'ms', triage: Math.max(...samples.map((s) => s.lagMs)), baseline: null, baselineName: '', goal: null },
      { figure: 'lag, p50 over the run', unit: 'ms', triage: percentile(samples.map((s) => s.lagMs), 0.5), baseline: null, baselineName: '', goal: null },
      // The bench's own polling included: an upper bound of what ingestion costs the server.
      { figure: 'CPU of the ingesting process (share of one core)', unit: '%', triage: cpuShare * 100, baseline: null, baselineName: '', goal: null },
    ];
    report(
      `celery-ingest-${BROKER}`,
      `Celery event ingestion, ${BROKER}`,
      [
        `${last.events.toLocaleString('en')} events (${last.tasks.toLocaleString('en')} tasks: received, started, succeeded or 1 in 20 failed; 8 workers' heartbeats every 2 s) in ${last.seconds.toFixed(1)} s, sent by Celery's EventDispatcher (task events as \`task.multi\` batches flushed every 10 ms) from a Python process, to a private ${BROKER === 'redis' ? 'redis-server' : 'RabbitMQ (the shared one)'}; ${received.toLocaleString('en')} events received by the ingestor.`,
        'Ingestor subscribed through the driver (subscribeCeleryEvents) as the server does, writing to a private state redis-server. Lag = time from an event published until its task record shows it (polled every 5 ms); one probe per second of the run, and the last event of all.',
        'Target: keeps up without growing lag, read as the lag at the end and the late median under 1 s (events would pile up by the second if it did not keep up).',
      ],
      figures,
      { sustained: true },
    );
  } finally {
    await unsubscribe();
    await state.stop();
    await brokerRedis?.stop();
  }
}

export const main = (): Promise<void> => run(args.get('broker') ?? 'redis');

runIfMain(import.meta.url, main);
