import { z } from 'zod';

/** A broker's id: what URLs, audit entries and workers' `--broker` name it by. */
export const BrokerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/);

/**
 * The fields every kind's broker configuration starts with; each driver's schema spreads
 * them into its own (`z.object({ ...brokerConfigFields('redis', url), ... })`).
 */
export function brokerConfigFields<K extends string>(kind: K, defaultUrl: string) {
  return {
    id: BrokerIdSchema,
    kind: z.literal(kind),
    url: z.string().default(defaultUrl),
    /**
     * Celery's Redis `result_backend` for tasks on this broker (redis://host:port/db): results and
     * tracebacks, and, with `result_extended`, the stored request a failed task is retried from.
     */
    resultBackendUrl: z.string().nullable().default(null),
  };
}

/** What code outside a driver may read of any broker's configuration. */
export interface BaseBrokerConfig {
  id: string;
  kind: string;
  url: string;
  resultBackendUrl: string | null;
}
