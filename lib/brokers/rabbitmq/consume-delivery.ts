import type { Channel, ConsumeMessage } from 'amqplib';
import { decodeAmqp } from '@/lib/shared/celery-codec';
import { PRIORITIES, TASK_PRIORITY_HEADER, fromRabbitPriority, levelRange, rabbitTaskPriority, toRabbitPriority } from '@/lib/shared/priority';
import { BrokerDelivery } from '../delivery-base';
import { DEAD_HEADERS, type DeadLetterInfo } from '../types';
import { DLX_EXCHANGE, delayBucketMs, delayQueueArguments, delayQueueName } from './consume-topology';

export interface CopyRoute {
  exchange: string;
  routingKey: string;
  declare?: { queue: string; args: Record<string, unknown> };
}

/** Publishes a copy of `message` with patched headers, confirmed, then acks the original on `channel`. */
export type PublishThenAck = (channel: Channel, message: ConsumeMessage, route: CopyRoute, headers: Record<string, unknown>) => Promise<void>;

/** One message a slot received. */
export class RabbitDelivery extends BrokerDelivery {
  constructor(
    private readonly channel: Channel,
    private readonly message: ConsumeMessage,
    queue: string,
    private readonly maxPriority: number,
    private readonly publishThenAck: PublishThenAck,
  ) {
    const { properties } = message;
    const wire = typeof properties.priority === 'number' ? properties.priority : null;
    super({
      queue,
      brokerQueue: queue,
      level: fromRabbitPriority(wire, maxPriority),
      priority: rabbitTaskPriority(properties.headers?.[TASK_PRIORITY_HEADER], wire, maxPriority),
      redelivered: message.fields.redelivered,
      decoded: decodeAmqp({
        headers: properties.headers ?? {},
        properties: { content_type: properties.contentType as string | undefined, correlation_id: properties.correlationId as string | undefined },
        body: message.content,
      }),
    });
  }

  /** Read only for a task stored with other priorities: not worked out per delivery. */
  get levelRange(): [number, number] {
    return levelRange(PRIORITIES.map((p) => fromRabbitPriority(toRabbitPriority(p, this.maxPriority), this.maxPriority)), this.level);
  }

  async ack(after?: Promise<void>): Promise<void> {
    if (after) await after;
    this.channel.ack(this.message);
  }

  async retry(headers: Record<string, unknown>, runAt: Date): Promise<void> {
    const delay = runAt.getTime() - Date.now();
    if (delay <= 0) {
      await this.publishThenAck(this.channel, this.message, { exchange: '', routingKey: this.queue }, headers);
      return;
    }
    const bucket = delayBucketMs(delay);
    const delayQueue = delayQueueName(this.queue, bucket);
    await this.publishThenAck(
      this.channel,
      this.message,
      { exchange: '', routingKey: delayQueue, declare: { queue: delayQueue, args: delayQueueArguments(this.queue, bucket) } },
      headers,
    );
  }

  async deadLetter(info: DeadLetterInfo): Promise<void> {
    await this.publishThenAck(this.channel, this.message, { exchange: DLX_EXCHANGE, routingKey: this.queue }, {
      [DEAD_HEADERS.reason]: info.reason,
      [DEAD_HEADERS.error]: info.error,
      [DEAD_HEADERS.traceback]: info.traceback,
      [DEAD_HEADERS.at]: new Date().toISOString(),
      [DEAD_HEADERS.originalQueue]: this.queue,
      [DEAD_HEADERS.originalPriority]: this.priority,
    });
  }
}
