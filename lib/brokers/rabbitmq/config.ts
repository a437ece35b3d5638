import { z } from 'zod';
import { QueueNameSchema } from '@/lib/shared/names';
import { DEFAULT_RABBIT_MAX_PRIORITY } from '@/lib/shared/priority';
import { brokerConfigFields } from '../broker-config';

/** A RabbitMQ broker's configuration (product.md §6): AMQP and management URLs, vhost, queues. */

export const RabbitQueueConfigSchema = z
  .object({
    name: QueueNameSchema,
    maxPriority: z.number().int().min(0).max(255).default(DEFAULT_RABBIT_MAX_PRIORITY),
    /** Extra queue arguments Triage declares the queue with when it does not exist yet. */
    arguments: z.record(z.string(), z.unknown()).default({}),
    durable: z.boolean().default(true),
  })
  .strict();

export const RabbitBrokerConfigSchema = z
  .object({
    /** One node, or a cluster's nodes separated by `;` (kombu's failover form), tried in turn. */
    ...brokerConfigFields('rabbitmq', 'amqp://guest:guest@127.0.0.1:5672'),
    /** The management API, or one per node separated by `;`, asked in turn when one cannot be reached. */
    managementUrl: z.string().default('http://guest:guest@127.0.0.1:15672'),
    /** Used when the AMQP URL names none; use `rabbitVhost(config)`, which also reads the URL. */
    vhost: z.string().min(1).optional(),
    queues: z.array(RabbitQueueConfigSchema).default([]),
    discover: z.boolean().default(true),
  })
  .strict()
  .superRefine((config, ctx) => {
    // AMQP and the management API must look at the same vhost, or the dashboard lists and
    // counts one vhost's queues while operations act on another's.
    const vhosts = new Set(config.url.split(';').filter((u) => u.trim()).map((u) => amqpUrlVhost(u.trim()) ?? '/'));
    if (vhosts.size > 1) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `the AMQP URLs name different vhosts (${[...vhosts].join(', ')}); a cluster's nodes are one vhost` });
    }
    const fromUrl = amqpUrlVhost(config.url);
    if (fromUrl !== null && config.vhost !== undefined && fromUrl !== config.vhost) {
      ctx.addIssue({
        code: 'custom',
        path: ['vhost'],
        message: `vhost ${JSON.stringify(config.vhost)} disagrees with the AMQP URL's vhost ${JSON.stringify(fromUrl)}; name it in one place`,
      });
    }
  });

export type RabbitQueueConfig = z.infer<typeof RabbitQueueConfigSchema>;
export type RabbitBrokerConfig = z.infer<typeof RabbitBrokerConfigSchema>;

/** The vhost an AMQP URL (the first of a `;` list) names (`amqp://host/sec` → "sec", `/%2F` → "/"), or null when it names none. */
export function amqpUrlVhost(url: string): string | null {
  let path: string;
  try {
    path = new URL(url.split(';')[0]!.trim()).pathname;
  } catch {
    return null;
  }
  if (path === '' || path === '/') return null;
  try {
    return decodeURIComponent(path.slice(1));
  } catch {
    return path.slice(1);
  }
}

/** The one vhost every AMQP connection and management API call of this broker uses. */
export function rabbitVhost(config: Pick<RabbitBrokerConfig, 'url' | 'vhost'>): string {
  return amqpUrlVhost(config.url) ?? config.vhost ?? '/';
}
