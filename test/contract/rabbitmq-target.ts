import { connect, type Channel } from 'amqplib';
import { RabbitBrokerConfigSchema } from '@/lib/brokers/rabbitmq/config';
import type { QueueBroker } from '@/lib/brokers/types';
import { holdQueueName } from '@/lib/brokers/rabbitmq/control/rabbitmq-control';
import { fromRabbitPriority, rabbitTaskPriority, TASK_PRIORITY_HEADER, toRabbitPriority } from '@/lib/shared/priority';
import { AMQP_URL, MANAGEMENT_URL, waitFor } from '@/test/support';
import { declareRabbit, fillRabbit, rabbitCount, readRabbit } from '@/test/control/helpers';
import type { ConfigOptions, ContractTarget, RawQueues } from './targets';

/** RabbitMQ with classic queues declared x-max-priority 10 (Celery's usual setting, one level per priority). */
export const rabbitTarget: ContractTarget = {
  kind: 'rabbitmq',
  url: AMQP_URL,
  unreachable: { url: 'amqp://guest:guest@127.0.0.1:1', extra: { managementUrl: 'http://guest:guest@127.0.0.1:1' } },
  unreachableError: /127\.0\.0\.1:1.*ECONNREFUSED/,
  config(options: ConfigOptions) {
    if (options.laneGroups?.length) throw new Error('RabbitMQ has no lane groups: skip the scenario by capability');
    return RabbitBrokerConfigSchema.parse({
      id: options.id ?? 'rabbitmq',
      kind: 'rabbitmq',
      url: options.url ?? AMQP_URL,
      managementUrl: MANAGEMENT_URL,
      queues: (options.queues ?? []).map((q) => ({ name: q.name, maxPriority: 10 })),
      ...options.extra,
    });
  },
  async openRaw(): Promise<RawQueues> {
    const amqp = await connect(AMQP_URL, { noDelay: true });
    /** A throwaway channel, so a 404 never closes anything else. */
    const onChannel = async <T>(work: (ch: Channel) => Promise<T>): Promise<T> => {
      const ch = await amqp.createChannel();
      let open = true;
      ch.on('error', () => {});
      ch.on('close', () => (open = false));
      try {
        return await work(ch);
      } finally {
        if (open) await ch.close().catch(() => {});
      }
    };
    return {
      declare: (queue) => declareRabbit(amqp, queue),
      fill: (queue, priorities, task) => fillRabbit(amqp, queue, priorities, task),
      async read(queue) {
        return (await readRabbit(amqp, queue)).map((m) => ({
          id: m.id,
          level: fromRabbitPriority(m.priority),
          priority: rabbitTaskPriority(m.headers[TASK_PRIORITY_HEADER], m.priority),
          redelivered: m.redelivered,
          // Requeueing sets the redelivered flag but keeps the message: compare what the producer wrote.
          stored: JSON.stringify({ priority: m.priority, headers: m.headers, body: m.body.toString('base64') }),
        }));
      },
      count: (queue) => rabbitCount(amqp, queue),
      async exists(queue) {
        return onChannel((ch) => ch.checkQueue(queue)).then(
          () => true,
          () => false,
        );
      },
      async putUndecodable(queue, body, level) {
        const ch = await amqp.createConfirmChannel();
        ch.publish('', queue, Buffer.from(body), { priority: toRabbitPriority(level), contentType: 'application/json' });
        await ch.waitForConfirms();
        await ch.close();
      },
      async deadLetters(deadQueue) {
        return (await readRabbit(amqp, deadQueue)).map((m) => ({ body: m.body.toString(), headers: m.headers }));
      },
      consumeWhile(queue, count) {
        const consumed: string[] = [];
        const started = amqp.createChannel().then(async (ch) => {
          await ch.prefetch(10 * count);
          const { consumerTag } = await ch.consume(queue, (m) => {
            if (!m) return;
            consumed.push(String(m.properties.headers?.id));
            ch.ack(m);
          });
          return { ch, consumerTag };
        });
        return {
          stop: async () => {
            const { ch, consumerTag } = await started;
            await ch.cancel(consumerTag);
            await ch.close();
            return consumed;
          },
        };
      },
      async leftovers(queue) {
        const hold = holdQueueName(queue);
        return (await management(`/api/queues/%2F/${encodeURIComponent(hold)}`)).ok ? [hold] : [];
      },
      async inFlight() {
        return null;
      },
      async consumers(queue) {
        return (await onChannel((ch) => ch.checkQueue(queue))).consumerCount;
      },
      async dropConnection(broker: QueueBroker) {
        const connectionName = (broker as QueueBroker & { connectionName: string }).connectionName;
        type Connection = { name: string; client_properties?: { connection_name?: string } };
        // The management API lists a new connection a few seconds after it opened.
        const listed = await waitFor('the adapter connection to be listed', async () => {
          const all = (await (await management('/api/connections?columns=name,client_properties')).json()) as Connection[];
          return all.find((c) => c.client_properties?.connection_name === connectionName);
        });
        const closed = await management(`/api/connections/${encodeURIComponent(listed.name)}`, { method: 'DELETE', headers: { 'X-Reason': 'triage contract test' } });
        if (closed.status !== 204) throw new Error(`closing ${listed.name} answered ${closed.status}`);
      },
      async remove(names) {
        if (names.length === 0) return;
        const all = (await (await management('/api/queues/%2F?columns=name')).json()) as { name: string }[];
        // Deleting a missing queue is a no-op. The listing lags behind declarations, so only
        // the delay queues (whose names carry a delay) are looked up in it.
        const doomed = new Set(names.flatMap((q) => [q, `${q}.dead`, `${q}.drained`, holdQueueName(q)]));
        for (const { name } of all) if (names.some((q) => name.startsWith(`triage.delay.${q}.`))) doomed.add(name);
        await onChannel(async (ch) => {
          for (const name of doomed) await ch.deleteQueue(name);
        });
      },
      async close() {
        await amqp.close();
      },
    };
  },
};

async function management(pathname: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(MANAGEMENT_URL);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  return fetch(`${url.origin}${pathname}`, { ...init, headers: { authorization: auth, ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(10_000) });
}
