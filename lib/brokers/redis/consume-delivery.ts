import type { RedisBrokerConfig } from './config';
import { decodeRedisPayload } from '@/lib/shared/celery-codec';
import { BrokerDelivery } from '../delivery-base';
import { deadQueueName, type DeadLetterInfo } from '../types';
import { copyEnvelope, deadEnvelope, deadHeaders, delayedMember } from './consume-envelope';
import type { SlotAcks } from './consume-acks';
import { bindingKey, bindingMember } from './keys';
import { levelRangeOf, parkingLayout, staticLayout, targetList, taskPriorityIn, type PhysicalList, type QueueLayout } from './layout';
import { envelopePriority } from './message';

export interface ConsumedList {
  key: string;
  /** kombu queue (routing key) of the list. */
  brokerQueue: string;
  /** Logical queue as the caller named it. */
  queue: string;
  level: number;
  /** The logical queue's layout and this list in it. */
  layout: QueueLayout;
  list: PhysicalList;
}

/** What every delivery of one consumer shares. */
export interface DeliveryContext {
  config: RedisBrokerConfig;
  /** Tags this process is running now (their unacked_index scores are kept fresh). */
  inFlight: Set<string>;
  /** Settles `tag` in one atomic step, after storing a copy (`push` now or `later`) and a binding. */
  settle(
    tag: string,
    push: { key: string; payload: string } | null,
    later: { at: number; member: string } | null,
    binding: { key: string; member: string } | null,
  ): Promise<void>;
}

/** One message a slot took. */
export class RedisDelivery extends BrokerDelivery {
  constructor(
    private readonly ctx: DeliveryContext,
    private readonly list: ConsumedList,
    private readonly payload: string,
    private readonly tag: string,
    private readonly acks: SlotAcks,
  ) {
    const decoded = decodeRedisPayload(payload);
    super({
      queue: list.queue,
      brokerQueue: list.brokerQueue,
      level: list.level,
      priority: taskPriorityIn(list.layout, list.list, envelopePriority(decoded, payload)),
      redelivered: decoded.envelope?.redelivered ?? false,
      decoded,
    });
  }

  /** Read only for a task stored with other priorities: not worked out per delivery. */
  get levelRange(): [number, number] {
    return levelRangeOf(this.list.layout, this.list.list);
  }

  /**
   * Rides on one of the slot's next takes (see SlotAcks). Until then the tag is still in
   * `unacked`: a crash re-runs the task (at-least-once), never loses it.
   */
  async ack(after?: Promise<void>): Promise<void> {
    this.ctx.inFlight.delete(this.tag);
    this.acks.add(this.tag, after);
  }

  async retry(headers: Record<string, unknown>, runAt: Date): Promise<void> {
    const copy = copyEnvelope(this.payload, this.list.brokerQueue, headers);
    if (!copy) throw new Error('an undecodable message cannot be retried');
    const at = runAt.getTime();
    if (at <= Date.now()) await this.ctx.settle(this.tag, { key: this.list.key, payload: copy }, null, null);
    else await this.ctx.settle(this.tag, null, { at, member: delayedMember(this.list.key, copy) }, null);
  }

  async deadLetter(info: DeadLetterInfo): Promise<void> {
    const { config } = this.ctx;
    const { list, decoded } = this;
    const deadName = deadQueueName(list.queue);
    // Parked like a drain parks: in the source's layout, at the task's own priority.
    const layout = staticLayout(config, deadName) ?? parkingLayout(config, list.layout, deadName);
    const target = targetList(layout, this.priority);
    const id = decoded.ok ? decoded.task.id : decoded.id;
    const dead = deadEnvelope(this.payload, deadName, deadHeaders(info, list.queue, this.priority), this.priority, id);
    await this.ctx.settle(
      this.tag,
      { key: target.key, payload: dead },
      null,
      { key: bindingKey({ prefix: config.globalKeyprefix }, deadName), member: bindingMember(config, deadName, deadName) },
    );
  }
}
