/**
 * Enqueue throughput on RabbitMQ (tasks/s), 600-byte payloads, x-max-priority 10 queues:
 * - single awaited enqueue with a priority through the adapter and through HTTP
 *   (`POST /api/v1/queues/rabbitmq/{q}/tasks`) vs amqplib: publish on a confirm channel,
 *   await its confirm, one message at a time;
 * - bulk (1,000 per call) through the adapter and through HTTP with `count: 1000` vs
 *   amqplib publishing 1,000 and awaiting their confirms together.
 * The raw side publishes the very body and properties Triage sends.
 *
 * `npm run bench -- enqueue-rabbitmq`. Env: BENCH_SINGLE (default 1000), BENCH_BULK (default 20000),
 * BENCH_WARMUP (unmeasured rounds first, default 1).
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { RabbitBroker } from '@/lib/brokers/rabbitmq/rabbitmq-broker';
import { publishOptions } from '@/lib/brokers/rabbitmq/publish';
import { RabbitBrokerConfigSchema } from '@/lib/brokers/rabbitmq/config';
import { buildTaskMessage } from '@/lib/shared/celery-codec';
import { toRabbitPriority } from '@/lib/shared/priority';
import { AMQP_URL, MANAGEMENT_URL, PAYLOAD, RUNS, WARMUP_ROUNDS, type Figure, interleaved, log, median, report, runIfMain, startServer } from './support';

const SINGLE = Number(process.env.BENCH_SINGLE ?? 1000);
const BULK = Number(process.env.BENCH_BULK ?? 20_000);
const BATCH = 1000;
/** Contenders alternate in this many slices per run (see interleaved()). */
const SLICES = 5;

const spec = (i: number) => ({ task: 'bench.tasks.noop', args: [PAYLOAD, i] });

export async function main(): Promise<void> {
  const amqp = await connect(AMQP_URL, { noDelay: true });
  const admin = await amqp.createChannel();
  const queues: string[] = [];
  const fresh = async () => {
    const name = `bench-enq-${randomUUID().slice(0, 8)}`;
    queues.push(name);
    await admin.assertQueue(name, { durable: true, arguments: { 'x-max-priority': 10 } });
    return name;
  };
  const server = await startServer({ TRIAGE_BROKERS: 'rabbitmq' });
  const broker = new RabbitBroker(RabbitBrokerConfigSchema.parse({ id: 'rabbitmq', kind: 'rabbitmq', url: AMQP_URL, managementUrl: MANAGEMENT_URL }));
  await broker.connect();
  const message = buildTaskMessage(spec(0));
  const body = Buffer.from(message.body, 'utf8');
  // Mixed priorities on both sides: a priority queue does more work for them than for one.
  const options = Array.from({ length: 10 }, (_, p) => publishOptions({ ...message, properties: { ...message.properties, priority: toRabbitPriority(p, 10) } }, new Date()));
  const samples: Record<string, number[]> = {};
  const note = (key: string, value: number) => (samples[key] ??= []).push(value);
  const post = async (queue: string, payload: object, status = 201) => {
    const res = await fetch(`${server.url}/api/v1/queues/rabbitmq/${queue}/tasks`, { method: 'POST', headers: server.headers, body: JSON.stringify(payload) });
    if (res.status !== status) throw new Error(`POST tasks: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };

  try {
    const confirm = await amqp.createConfirmChannel();
    for (let run = -WARMUP_ROUNDS; run < RUNS; run++) {
      log(run < 0 ? `enqueue-rabbitmq warm-up (not measured)` : `enqueue-rabbitmq run ${run + 1}/${RUNS}`);
      const q = { raw: await fresh(), triage: await fresh(), http: await fresh() };
      let i = 0;
      const per = SINGLE / SLICES;
      const single = await interleaved(SLICES, {
        'raw single': { count: per, run: async () => {
          for (let n = 0; n < per; n++, i++) {
            confirm.publish('', q.raw, body, options[i % 10]);
            await confirm.waitForConfirms();
          }
        } },
        'triage single': { count: per, run: async () => {
          for (let n = 0; n < per; n++, i++) await broker.enqueue(q.triage, [{ priority: i % 10, spec: spec(i) }]);
        } },
        'http single': { count: per, run: async () => {
          for (let n = 0; n < per; n++, i++) await post(q.http, { task: 'bench.tasks.noop', args: [PAYLOAD, i], priority: i % 10 });
        } },
        // The server's own floor: the same request refused by validation (authenticated, body
        // read and parsed, 400), so no broker work at all.
        'http floor': { count: per, run: async () => {
          for (let n = 0; n < per; n++, i++) await post(q.http, { task: 'bench.tasks.noop', args: [PAYLOAD, i], priority: 99 }, 400);
        } },
      });
      const bulkPer = BULK / SLICES;
      const bulk = await interleaved(SLICES, {
        'raw bulk': { count: bulkPer, run: async () => {
          for (let done = 0; done < bulkPer; done += BATCH) {
            for (let n = 0; n < BATCH; n++) {
              if (!confirm.publish('', q.raw, body, options[n % 10])) await new Promise((r) => confirm.once('drain', r));
            }
            await confirm.waitForConfirms();
          }
        } },
        'triage bulk': { count: bulkPer, run: async () => {
          for (let done = 0; done < bulkPer; done += BATCH) {
            await broker.enqueue(q.triage, Array.from({ length: BATCH }, (_, n) => ({ priority: n % 10, spec: spec(done + n) })));
          }
        } },
        'http bulk': { count: bulkPer, run: async () => {
          for (let done = 0; done < bulkPer; done += BATCH) await post(q.http, { task: 'bench.tasks.noop', args: [PAYLOAD, done], priority: (done / BATCH) % 10, count: BATCH });
        } },
      });
      if (run >= 0) for (const [key, value] of Object.entries({ ...single, ...bulk })) note(key, value);
      for (const name of queues.splice(0)) await admin.deleteQueue(name);
    }
    await confirm.close();
  } finally {
    for (const q of queues) await admin.deleteQueue(q).catch(() => undefined);
    await broker.close();
    await server.stop();
    await amqp.close();
  }

  // Per run: the server's floor and one publish + confirm, one after the other.
  samples['http bound'] = samples['http floor']!.map((floor, run) => 1 / (1 / floor + 1 / samples['raw single']![run]!));
  const m = (key: string) => median(samples[key]!);
  const httpBound = m('http bound');
  const fig = (figure: string, key: string, base: string, baselineName: string, goal: Figure['goal'] = { min: 0.85 }): Figure => ({
    figure,
    unit: 'tasks/s',
    triage: m(key),
    baseline: m(base),
    baselineName,
    goal,
    runs: samples[key],
  });
  report('enqueue-rabbitmq', 'Enqueue throughput, RabbitMQ', [
    `${SINGLE} single and ${BULK} bulk enqueues (1,000 per call) per contender and run, in ${SLICES} alternating slices; 600-byte payload, durable queues with x-max-priority 10.`,
    'Raw = amqplib on a confirm channel (noDelay), publishing the bytes and properties Triage sends; single awaits each confirm, bulk awaits the confirms of each 1,000.',
    // One request at a time cannot beat the server's floor plus one publish + confirm: that bounds the HTTP single row.
    `Bound of the HTTP single row: the same POST refused by validation (400: token checked, body read and parsed, no broker work) ran at ${m('http floor').toFixed(0)}/s in this run; ` +
      `that floor plus one publish + confirm allows at most ${httpBound.toFixed(0)}/s, ${(httpBound / m('raw single')).toFixed(2)} of raw.`,
  ], [
    fig('single awaited enqueue via library', 'triage single', 'raw single', 'amqplib publish + confirm'),
    fig('single enqueue via HTTP', 'http single', 'raw single', 'amqplib publish + confirm'),
    fig('single enqueue via HTTP vs its bound', 'http single', 'http bound', 'server floor (400, no broker work) + publish + confirm', null),
    fig('bulk 1,000 via library', 'triage bulk', 'raw bulk', 'amqplib, confirms per 1,000'),
    fig('bulk 1,000 via HTTP (count)', 'http bulk', 'raw bulk', 'amqplib, confirms per 1,000'),
  ]);
}

runIfMain(import.meta.url, main);
