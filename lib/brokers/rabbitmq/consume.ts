import { hostname } from 'node:os';
import type { ConsumeMessage, Options } from 'amqplib';
import type { RabbitBrokerConfig } from './config';
import { describeError } from '@/lib/shared/errors';
import type { ConsumeOptions, ConsumerHandle } from '../types';
import { RabbitConnection, withTimeout } from './connection';
import { RabbitDelivery, type PublishThenAck } from './consume-delivery';
import { declareConsumerTopology } from './consume-topology';

/**
 * The RabbitMQ side of the bundled worker (celery-wire.md §3, §8).
 *
 * - Strict priority: one channel per slot with prefetch 1 for the whole channel, so the
 *   broker hands a slot its next message only once the last is acked; everything else
 *   stays in the queue where priority ordering applies. Ack is manual, after the handler.
 * - Its own connection (noDelay, see connection.ts), reconnecting by itself; slot
 *   channels are reopened after a reconnect. Unacked messages of a dropped channel or a
 *   killed process are redelivered by the broker.
 * - Pause: the slot cancels its consumer on a paused queue (in-flight work finishes) and
 *   consumes again on resume; a message arriving in the race is rejected with requeue.
 * - Retry copies and dead-letter copies are published with publisher confirms; the
 *   original is acked only after the confirm (at-least-once: a crash in between leaves
 *   both, never neither).
 */

export interface RabbitConsumeContext {
  brokerId: string;
  config: RabbitBrokerConfig;
  maxPriorityFor(queue: string): Promise<number>;
}

const CONFIRM_TIMEOUT_MS = 30_000;
const REOPEN_AFTER_MS = 500;
const REQUEUE_AFTER_ERROR_MS = 1000;

export async function consumeRabbit(ctx: RabbitConsumeContext, options: ConsumeOptions): Promise<ConsumerHandle> {
  const log = options.logger;
  const configured = new Map(ctx.config.queues.map((q) => [q.name, q]));
  // Grows with add_consumer; a reconnect declares and consumes every one of them.
  const queues = [...options.queues];
  const connection = new RabbitConnection({
    url: ctx.config.url,
    vhost: ctx.config.vhost,
    connectionName: `triage-worker:${ctx.brokerId}@${hostname()}:${process.pid}`,
    logger: log,
    onConnect: (channels) => declareConsumerTopology(channels, queues, configured, (queue) => ctx.maxPriorityFor(queue)),
  });
  await connection.connect();
  const maxPriority = new Map<string, number>();
  const learnMaxPriority = async (queue: string) => {
    maxPriority.set(queue, await ctx.maxPriorityFor(queue).catch(() => configured.get(queue)?.maxPriority ?? 10));
  };
  for (const queue of queues) await learnMaxPriority(queue);

  let stopping = false;
  let killed = false;
  // While RabbitMQ is down every slot retries twice a second: log the first, then every 30 s.
  let lastWarning = 0;
  const quiet = { shouldLog: () => (Date.now() - lastWarning >= 30_000 ? ((lastWarning = Date.now()), true) : false) };
  const nudges = new Set<() => Promise<void>>();
  let stopSignal!: () => void;
  const stopped = new Promise<void>((resolve) => (stopSignal = resolve));

  const publishThenAck: PublishThenAck = async (channel, message, route, headers) => {
    await connection.withConfirmChannel(async (confirm) => {
      if (route.declare) await confirm.assertQueue(route.declare.queue, { durable: true, arguments: route.declare.args });
      confirm.publish(route.exchange, route.routingKey, message.content, copyOptions(message, headers));
      await withTimeout(confirm.waitForConfirms(), CONFIRM_TIMEOUT_MS, `no confirm within ${CONFIRM_TIMEOUT_MS / 1000} s`);
    });
    channel.ack(message);
  };

  /** Ends one running slot each (resize), the newest first. */
  const retirers: (() => void)[] = [];

  const runSlot = async (index: number) => {
    let retired = false;
    let onRetired!: () => void;
    const retiredSignal = new Promise<void>((resolve) => (onRetired = resolve));
    retirers.push(() => {
      retired = true;
      onRetired();
    });
    while (!stopping && !retired) {
      try {
        await connection.withChannel(async (channel) => {
          let closed = false;
          let onClosed!: () => void;
          const closedSignal = new Promise<void>((resolve) => (onClosed = resolve));
          channel.on('close', () => {
            closed = true;
            onClosed();
          });
          // One unacked message per slot. With several queues on the slot, RabbitMQ's
          // `global` flag makes the limit shared by the channel's consumers; with one queue,
          // per-consumer QoS does the same without the global QoS RabbitMQ 4 deprecates.
          let shared = queues.length > 1;
          await channel.prefetch(1, shared);
          const consumers = new Map<string, string>();
          const queueOfTag = new Map<string, string>();
          let busy: Promise<void> = Promise.resolve();
          const onMessage = (message: ConsumeMessage | null) => {
            if (!message) return; // the server cancelled the consumer (queue deleted); sync() re-adds it
            const queue = queueOfTag.get(message.fields.consumerTag) ?? message.fields.routingKey;
            if (stopping || retired || options.isPaused(queue)) {
              channel.nack(message, false, true);
              return;
            }
            busy = (async () => {
              try {
                await options.onDelivery(new RabbitDelivery(channel, message, queue, maxPriority.get(queue) ?? 10, publishThenAck));
              } catch (error) {
                if (!killed && !closed) {
                  log?.error({ err: describeError(error), slot: index }, 'handler error; message returned to the queue');
                  // Not at once: a failure that repeats (state store down) must not spin.
                  await new Promise((resolve) => setTimeout(resolve, REQUEUE_AFTER_ERROR_MS));
                  if (!closed) channel.nack(message, false, true);
                }
              }
            })();
          };
          let syncing: Promise<void> = Promise.resolve();
          const sync = () => {
            syncing = syncing.then(async () => {
              // A queue added to a one-queue slot: from now on the limit is the channel's.
              if (!shared && queues.length > 1 && !closed) {
                await channel.prefetch(1, true);
                shared = true;
              }
              for (const queue of queues) {
                if (closed) return;
                const want = !stopping && !retired && !options.isPaused(queue);
                const tag = consumers.get(queue);
                if (want && !tag) {
                  const { consumerTag } = await channel.consume(queue, onMessage, { noAck: false });
                  consumers.set(queue, consumerTag);
                  queueOfTag.set(consumerTag, queue);
                } else if (!want && tag) {
                  consumers.delete(queue);
                  await channel.cancel(tag);
                }
              }
            });
            return syncing;
          };
          nudges.add(sync);
          try {
            await sync();
            await Promise.race([stopped, closedSignal, retiredSignal]);
            if (!closed) await sync(); // cancels every consumer: nothing new arrives
            await busy;
          } finally {
            nudges.delete(sync);
          }
          if (closed && !stopping && !retired) throw new Error('the slot channel closed');
        });
      } catch (error) {
        if (stopping || retired) break;
        if (quiet.shouldLog()) log?.warn({ err: describeError(error), slot: index }, 'rabbitmq slot channel lost; reopening');
        await new Promise((resolve) => setTimeout(resolve, REOPEN_AFTER_MS));
      }
    }
  };

  const slots = Array.from({ length: options.concurrency }, (_, i) => runSlot(i));
  // A poll as well as the nudges: pub/sub drops messages while a subscriber reconnects.
  const pollTimer = setInterval(() => {
    for (const sync of nudges) void sync().catch(() => {});
  }, 500);

  return {
    stop: async () => {
      stopping = true;
      stopSignal();
      clearInterval(pollTimer);
      await Promise.all(slots);
      await connection.close();
    },
    kill: async () => {
      stopping = true;
      killed = true;
      clearInterval(pollTimer);
      await connection.close();
    },
    nudge: () => {
      for (const sync of nudges) void sync().catch(() => {});
    },
    addQueue: async (queue) => {
      if (queues.includes(queue)) return;
      await declareConsumerTopology(connection, [queue], configured, (name) => ctx.maxPriorityFor(name));
      await learnMaxPriority(queue);
      queues.push(queue);
      // A slot whose channel is down consumes it once reopened.
      await Promise.all([...nudges].map((sync) => sync().catch(() => {})));
    },
    resize: (size) => {
      const target = Math.max(1, Math.floor(size));
      if (stopping) return;
      while (retirers.length < target) slots.push(runSlot(slots.length));
      while (retirers.length > target) retirers.pop()!();
    },
  };
}

/** The copy keeps the original's properties (priority, id, content type) with patched headers. */
function copyOptions(message: ConsumeMessage, headers: Record<string, unknown>): Options.Publish {
  const p = message.properties;
  return {
    headers: { ...((p.headers ?? {}) as Record<string, unknown>), ...headers },
    ...(p.priority !== undefined ? { priority: p.priority as number } : {}),
    ...(p.correlationId ? { correlationId: p.correlationId as string } : {}),
    ...(p.replyTo ? { replyTo: p.replyTo as string } : {}),
    ...(p.contentType ? { contentType: p.contentType as string } : {}),
    ...(p.contentEncoding ? { contentEncoding: p.contentEncoding as string } : {}),
    ...(p.timestamp ? { timestamp: p.timestamp as number } : {}),
    deliveryMode: 2,
    mandatory: false,
  };
}
