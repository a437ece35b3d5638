import type { DecodeResult } from '@/lib/shared/celery-codec';
import type { DeadLetterInfo, Delivery } from './types';

/** What a consumer knows about a message once it has taken it (see `Delivery`). */
export type DeliveryFacts = Pick<Delivery, 'queue' | 'brokerQueue' | 'level' | 'priority' | 'redelivered' | 'decoded'>;

/**
 * A taken message: the facts every broker fills in, and the settling each broker does its
 * own way. A class rather than an object of closures: a worker makes one per task, and
 * three fresh closures each (named at run time under tsx) showed in its profile.
 */
export abstract class BrokerDelivery implements Delivery {
  readonly queue: string;
  readonly brokerQueue: string;
  readonly level: number;
  readonly priority: number;
  readonly redelivered: boolean;
  readonly decoded: DecodeResult;

  protected constructor(facts: DeliveryFacts) {
    this.queue = facts.queue;
    this.brokerQueue = facts.brokerQueue;
    this.level = facts.level;
    this.priority = facts.priority;
    this.redelivered = facts.redelivered;
    this.decoded = facts.decoded;
  }

  abstract get levelRange(): [number, number];
  abstract ack(after?: Promise<void>): Promise<void>;
  abstract retry(headers: Record<string, unknown>, runAt: Date): Promise<void>;
  abstract deadLetter(info: DeadLetterInfo): Promise<void>;
}
