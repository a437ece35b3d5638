import { randomUUID } from 'node:crypto';
import type { RabbitBrokerConfig } from './config';
import { parseAmqpEventMessage, type CeleryEvent } from '@/lib/celery/events';
import { RabbitConnection, type Logger } from './connection';

/**
 * Celery publishes events to the durable topic exchange `celeryev` (celery-wire.md §4.1).
 * Triage binds its own short-lived queue with `#`, as Celery's own receivers do: auto
 * delete, messages kept 5 s, the queue gone 60 s after Triage is.
 */
export async function subscribeRabbitCeleryEvents(
  config: RabbitBrokerConfig,
  onEvents: (events: CeleryEvent[]) => void,
  logger?: Logger,
): Promise<() => Promise<void>> {
  const queue = `celeryev.triage.${randomUUID()}`;
  let stopping = false;
  let release: (() => void) | null = null;

  const connection = new RabbitConnection({
    url: config.url,
    vhost: config.vhost,
    connectionName: `triage:${config.id}:celeryev`,
    logger,
    onConnect: async (channels) => {
      // Declared with Celery's own arguments, so a Celery worker declaring it too agrees.
      await channels.withChannel((ch) => ch.assertExchange('celeryev', 'topic', { durable: true }));
      // Subscribed means bound and consuming: an event sent right after this resolves (a
      // producer's task-sent, which carries the task's queue) must not be missed.
      await new Promise<void>((subscribed, failed) => {
        // The channel is held open until stop or until the connection drops (then onConnect runs again).
        void channels
          .withChannel(async (ch) => {
            await ch.assertQueue(queue, { autoDelete: true, durable: false, arguments: { 'x-message-ttl': 5000, 'x-expires': 60000 } });
            await ch.bindQueue(queue, 'celeryev', '#');
            await ch.consume(
              queue,
              (message) => {
                if (!message) return;
                const events = parseAmqpEventMessage(message.content);
                if (events.length > 0) onEvents(events);
              },
              { noAck: true },
            );
            subscribed();
            await new Promise<void>((resolve) => {
              release = resolve;
              ch.once('close', resolve);
              if (stopping) resolve();
            });
          })
          .catch((error: unknown) => {
            failed(error);
            logger?.warn({ broker: config.id, err: String(error) }, 'celery events consumer stopped');
          });
      });
    },
  });
  await connection.connect();
  return async () => {
    stopping = true;
    (release as (() => void) | null)?.();
    await connection.close();
  };
}
