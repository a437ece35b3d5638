import { brokerDrivers, type BrokerConfig, type KnownBrokerKind } from '@/lib/brokers/registry';
import type { QueueBroker } from '@/lib/brokers/types';
import { rabbitTarget } from './rabbitmq-target';
import { redisTarget } from './redis-target';

/**
 * What the contract suites (adapter, worker, control) need from one broker kind running on
 * this machine: a configuration for a set of queues, and a raw view of those queues that
 * bypasses the adapter, so each suite can check what the adapter did on the broker itself.
 * Everything kind-specific the suites use lives behind this interface; scenarios a kind
 * cannot run are skipped by its adapter's capabilities, never by its kind.
 */
export interface ContractTarget {
  readonly kind: KnownBrokerKind;
  /**
   * A broker configuration serving `queues` (default layout, or one level per priority with
   * `everyPriority`) and, where the kind has them, lane groups. `inFlightTag` gives the
   * adapter private in-flight bookkeeping (so parallel tests never restore each other's
   * messages) and, where in-flight messages return after a timeout, a short one.
   */
  config(options: ConfigOptions): BrokerConfig;
  /** Overrides that point a configuration at a port nothing listens on. */
  readonly unreachable: Partial<ConfigOptions>;
  /** The hint and error an unreachable broker's health gives. */
  readonly unreachableError: RegExp;
  /** The broker's URL on this machine (outage tests put a proxy in front of it). */
  readonly url: string;
  /** Opens the raw view (one connection per caller; `close()` it). */
  openRaw(): Promise<RawQueues>;
}

export interface QueueSpec {
  name: string;
  /** One level per priority (Redis: ten step lists; RabbitMQ: x-max-priority 10, its default). */
  everyPriority?: boolean;
}

export interface LaneGroupSpec {
  name: string;
  lanes: { queue: string; priorities: [number, number] }[];
}

export interface ConfigOptions {
  id?: string;
  url?: string;
  queues?: QueueSpec[];
  laneGroups?: LaneGroupSpec[];
  inFlightTag?: string;
  /** Kind-specific fields, for per-kind tests only. */
  extra?: Record<string, unknown>;
}

/** One waiting message as stored on the broker. */
export interface RawEntry {
  id: string;
  /** The Triage level it is stored at (Redis: its step list; RabbitMQ: its wire priority). */
  level: number;
  /** The task's own Triage priority as the stored form carries it, when it does. */
  priority: number | null;
  redelivered: boolean;
  /** The stored form, opaque: equal strings mean the message was left byte-identical. */
  stored: string;
}

export interface RawQueues {
  /** Creates the queue as a producer would (with the default layout), empty. */
  declare(queue: string): Promise<void>;
  /** Publishes Celery messages at these Triage priorities, bypassing the adapter; ids in order. */
  fill(queue: string, priorities: readonly number[], task?: string): Promise<string[]>;
  /** Every waiting message in the order a strict-priority consumer receives them; changes nothing that matters to order. */
  read(queue: string): Promise<RawEntry[]>;
  /** Waiting messages (not those in flight). */
  count(queue: string): Promise<number>;
  /** Whether anything of the queue exists on the broker. */
  exists(queue: string): Promise<boolean>;
  /** A message no Celery decoder accepts, stored at `level`. */
  putUndecodable(queue: string, body: string, level: number): Promise<void>;
  /** Dead-lettered messages as stored: the body the producer wrote and the worker's `triage_*` headers. */
  deadLetters(deadQueue: string): Promise<{ body: string; headers: Record<string, unknown> }[]>;
  /** `count` plain consumers taking from the queue until stopped; resolve with the task ids they took. */
  consumeWhile(queue: string, count: number): { stop: () => Promise<string[]> };
  /** Helper queues an operation on `queue` may leave behind when killed (RabbitMQ's holding queue); those present now. */
  leftovers(queue: string): Promise<string[]>;
  /** Messages of this tag's private in-flight bookkeeping, or null where the broker keeps none the test can read. */
  inFlight(tag: string): Promise<number | null>;
  /** Consumers attached to the queue, or null where the broker has no such notion. */
  consumers(queue: string): Promise<number | null>;
  /** Cuts the adapter's connection from the server side, as a broker restart would. */
  dropConnection(broker: QueueBroker): Promise<void>;
  /** Deletes the queues (and everything derived from their names: dead letters, delay and parking queues). */
  remove(names: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A target per registered driver: the Record's type makes a kind without a target fail to
 * compile here, so a new driver cannot skip the contract (docs/adding-a-broker.md).
 */
const TARGETS_BY_KIND: Record<KnownBrokerKind, ContractTarget> = { redis: redisTarget, rabbitmq: rabbitTarget };
export const TARGETS: readonly ContractTarget[] = brokerDrivers.map((driver) => TARGETS_BY_KIND[driver.kind as KnownBrokerKind]);
