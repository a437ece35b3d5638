import { randomUUID } from 'node:crypto';
import type { Channel, Message as AmqpMessage } from 'amqplib';

/**
 * Reads a queue from its head, in delivery order, without acking: at most `budget`
 * messages (the depth when the run started, so producers cannot keep a run going).
 *
 * It streams with basic.consume while it can, because RabbitMQ pushes deliveries for far
 * less broker CPU than it answers basic.get (3.4k/s with 32 gets in flight against
 * 8.3k/s consuming, same copy loop, RabbitMQ 3.10). A consumer is bounded by its
 * prefetch, though, and messages the caller keeps unacked until the run ends (not
 * selected) count against it: once those reach `holdLimit` the consumer is cancelled and
 * reading goes on with basic.get, which no prefetch limits. Deliveries already received
 * are served first, so the order stays the queue's.
 */
export interface QueueReader {
  /** Up to `max` messages; an empty array once the queue or the budget is exhausted. */
  read(max: number): Promise<AmqpMessage[]>;
  /** The caller keeps one message it was given unacked until the run ends. */
  hold(): void;
  /** Stops the consumer; whatever it still had goes back when the channel closes. */
  stop(): Promise<void>;
}

export interface QueueReaderOptions {
  budget: number;
  prefetch: number;
  holdLimit: number;
  /** Ready messages in the queue now (what a passive declare reports). */
  readyCount: () => Promise<number>;
  /** How long a silent consumer is waited on before asking whether the queue is empty. */
  idleMs?: number;
}

const GET_WINDOW = 32;
const DEFAULT_IDLE_MS = 100;

export async function openQueueReader(channel: Channel, queue: string, options: QueueReaderOptions): Promise<QueueReader> {
  const reader = new StreamingReader(channel, queue, options);
  if (options.budget > 0) await reader.start();
  return reader;
}

class StreamingReader implements QueueReader {
  private readonly buffer: AmqpMessage[] = [];
  private consumerTag: string | null = null;
  private wake: (() => void) | null = null;
  private remaining: number;
  private held = 0;
  private ended = false;

  constructor(
    private readonly channel: Channel,
    private readonly queue: string,
    private readonly options: QueueReaderOptions,
  ) {
    this.remaining = options.budget;
  }

  async start(): Promise<void> {
    await this.channel.prefetch(this.options.prefetch);
    const tag = `triage-control-${randomUUID()}`;
    await this.channel.consume(
      this.queue,
      (message) => {
        // null: the broker cancelled the consumer (queue deleted); gets take over and see it.
        if (message) this.buffer.push(message);
        else this.consumerTag = null;
        this.wake?.();
      },
      { noAck: false, consumerTag: tag },
    );
    this.consumerTag = tag;
  }

  hold(): void {
    this.held += 1;
  }

  async stop(): Promise<void> {
    const tag = this.consumerTag;
    this.consumerTag = null;
    if (tag) await this.channel.cancel(tag);
  }

  async read(max: number): Promise<AmqpMessage[]> {
    if (this.remaining <= 0 || this.ended) {
      await this.stop();
      return [];
    }
    if (this.consumerTag && this.held >= this.options.holdLimit) await this.stop();
    if (this.consumerTag && this.buffer.length === 0) await this.awaitDelivery();
    if (this.buffer.length > 0) return this.take(this.buffer.splice(0, Math.min(max, this.remaining)));
    if (this.ended) return [];
    return this.take(await this.getWindow(Math.min(max, this.remaining, GET_WINDOW)));
  }

  private take(messages: AmqpMessage[]): AmqpMessage[] {
    this.remaining -= messages.length;
    return messages;
  }

  /** Waits for the consumer's next delivery, or decides that the queue has run dry. */
  private async awaitDelivery(): Promise<void> {
    const idleMs = this.options.idleMs ?? DEFAULT_IDLE_MS;
    while (this.consumerTag && this.buffer.length === 0) {
      const delivered = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), idleMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = null;
      if (delivered || this.buffer.length > 0) continue;
      const ready = await this.options.readyCount();
      if (ready > 0 || this.buffer.length > 0) continue;
      // A quorum queue's passive declare answers 0 when its log takes over 250 ms to reply
      // (rabbit_quorum_queue:stat/2), and settlements still on their way keep its consumer
      // waiting: basic.get goes through the log, so it alone may end the run. Deliveries
      // that came before its answer are ahead of its message, later ones behind it.
      const probe = await this.channel.get(this.queue, { noAck: false });
      if (probe) {
        this.buffer.push(probe);
      } else if (this.buffer.length === 0) {
        // Nothing ready and nothing delivered meanwhile: what is unacked is all there was.
        this.ended = true;
        return;
      }
    }
  }

  /** Several basic.get in flight at once: replies come in order, so delivery order is kept. */
  private async getWindow(size: number): Promise<AmqpMessage[]> {
    const replies = await Promise.all(Array.from({ length: size }, () => this.channel.get(this.queue, { noAck: false })));
    const got: AmqpMessage[] = [];
    for (const reply of replies) {
      if (!reply) {
        this.ended = true;
        continue;
      }
      got.push(reply);
      // message_count is what is left after this one: no extra round trip to see the end.
      if (reply.fields.messageCount === 0) this.ended = true;
    }
    return got;
  }
}
