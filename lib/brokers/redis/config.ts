import { z } from 'zod';
import { QueueNameSchema } from '@/lib/shared/names';
import { KOMBU_DEFAULT_SEP, KOMBU_DEFAULT_STEPS, StepsSchema, assertLanes } from '@/lib/shared/priority';
import { withMasterName } from '@/lib/redis/target';
import { brokerConfigFields } from '../broker-config';

/** A Redis broker's configuration (product.md §6): kombu's transport options, queues, lane groups. */

export const RedisQueueConfigSchema = z
  .object({
    name: QueueNameSchema,
    /** kombu `priority_steps` for this queue; defaults to the broker's. */
    steps: StepsSchema.optional(),
    /** kombu `sep`; defaults to the broker's. */
    sep: z.string().min(1).optional(),
  })
  .strict();

export const LaneGroupConfigSchema = z
  .object({
    name: QueueNameSchema,
    lanes: z
      .array(
        z
          .object({
            queue: QueueNameSchema,
            priorities: z.tuple([z.number().int(), z.number().int()]),
          })
          .strict(),
      )
      .min(1)
      .superRefine((lanes, ctx) => {
        try {
          assertLanes(lanes);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
  })
  .strict();

export const RedisBrokerConfigSchema = z
  .object({
    ...brokerConfigFields('redis', 'redis://127.0.0.1:6379/0'),
    /** kombu transport options; every producer, worker and Triage must agree on these. */
    sep: z.string().min(1).default(KOMBU_DEFAULT_SEP),
    steps: StepsSchema.default([...KOMBU_DEFAULT_STEPS]),
    globalKeyprefix: z.string().default(''),
    visibilityTimeoutSec: z.number().int().min(1).default(3600),
    unackedKey: z.string().default('unacked'),
    unackedIndexKey: z.string().default('unacked_index'),
    unackedMutexKey: z.string().default('unacked_mutex'),
    queues: z.array(RedisQueueConfigSchema).default([]),
    laneGroups: z.array(LaneGroupConfigSchema).default([]),
    /** Find kombu queues not listed here by their bindings and list keys. */
    discover: z.boolean().default(true),
    /**
     * kombu's `master_name` transport option: the Sentinel master group, for a `url` of
     * sentinels (`sentinel://h1:26379;sentinel://h2:26379`); `?master_name=` in the URL also works.
     */
    masterName: z.string().min(1).optional(),
  })
  .strict();

/** The configuration with its Sentinel master name folded into the URL every client is made from. */
export function resolveSentinelMaster(config: RedisBrokerConfig): RedisBrokerConfig {
  return config.masterName ? { ...config, url: withMasterName(config.url, config.masterName) } : config;
}

export type RedisQueueConfig = z.infer<typeof RedisQueueConfigSchema>;
export type LaneGroupConfig = z.infer<typeof LaneGroupConfigSchema>;
export type RedisBrokerConfig = z.infer<typeof RedisBrokerConfigSchema>;
