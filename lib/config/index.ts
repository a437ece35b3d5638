import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { withMasterName } from '@/lib/redis/target';
import { ALL_STEPS } from '@/lib/shared/priority';
import { TriageConfigSchema, type TriageConfig } from './schema';

export * from './schema';

/**
 * The one place that reads the environment. Everything is validated once; an invalid
 * configuration stops start-up with a message naming the field.
 *
 * Env: REDIS_URL, AMQP_URL, RABBITMQ_MANAGEMENT_URL, PORT, TRIAGE_CONFIG (path to a JSON
 * file with the TriageConfig shape; env URLs still override the default brokers' URLs),
 * TRIAGE_STATE_PREFIX, TRIAGE_SESSION_SECRET, TRIAGE_DEFAULT_PRIORITY, LOG_LEVEL,
 * TRIAGE_BROKERS (comma list to enable a subset, e.g. "redis"), TRIAGE_ADMIN_TOKEN,
 * TRIAGE_TRUST_PROXY (1/true), TRIAGE_LOGIN_WINDOW_SEC, TRIAGE_METRICS_PUBLIC (1/true),
 * TRIAGE_HISTORY_INTERVAL_SEC, TRIAGE_LIVE_INTERVAL_MS, TRIAGE_ENQUEUE_MAX_BYTES, TRIAGE_HIGH_BAND_ALERT_SEC,
 * TRIAGE_SLO_INTERVAL_SEC.
 */
const EnvSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379/0'),
  AMQP_URL: z.string().default('amqp://guest:guest@127.0.0.1:5672'),
  RABBITMQ_MANAGEMENT_URL: z.string().default('http://guest:guest@127.0.0.1:15672'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  TRIAGE_CONFIG: z.string().optional(),
  TRIAGE_STATE_PREFIX: z.string().optional(),
  TRIAGE_SESSION_SECRET: z.string().optional(),
  TRIAGE_DEFAULT_PRIORITY: z.coerce.number().int().min(0).max(9).optional(),
  TRIAGE_ENQUEUE_MAX_BYTES: z.coerce.number().int().min(1024).optional(),
  TRIAGE_BROKERS: z.string().optional(),
  LOG_LEVEL: z.string().optional(),
  NODE_ENV: z.string().optional(),
  TRIAGE_ADMIN_TOKEN: z.string().optional(),
  TRIAGE_TRUST_PROXY: z.string().optional(),
  TRIAGE_LOGIN_WINDOW_SEC: z.coerce.number().int().min(1).optional(),
  TRIAGE_METRICS_PUBLIC: z.string().optional(),
  TRIAGE_HISTORY_INTERVAL_SEC: z.coerce.number().int().min(1).optional(),
  TRIAGE_LIVE_INTERVAL_MS: z.coerce.number().int().min(1).optional(),
  TRIAGE_HIGH_BAND_ALERT_SEC: z.coerce.number().int().min(1).optional(),
  TRIAGE_SLO_INTERVAL_SEC: z.coerce.number().int().min(1).optional(),
});

function envFlag(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The demo topology: the three patterns teams use (product.md §2) plus a native RabbitMQ
 * priority queue. Used when no config file names brokers.
 */
export function demoBrokers(env: z.infer<typeof EnvSchema>): unknown[] {
  return [
    {
      id: 'redis',
      kind: 'redis',
      url: env.REDIS_URL,
      queues: [{ name: 'celery' }, { name: 'notifications', steps: [...ALL_STEPS], sep: ':' }],
      laneGroups: [
        {
          name: 'lanes',
          lanes: [
            { queue: 'high_priority', priorities: [0, 2] },
            { queue: 'medium_priority', priorities: [3, 5] },
            { queue: 'low_priority', priorities: [6, 9] },
          ],
        },
      ],
    },
    {
      id: 'rabbitmq',
      kind: 'rabbitmq',
      url: env.AMQP_URL,
      managementUrl: env.RABBITMQ_MANAGEMENT_URL,
      queues: [{ name: 'celery', maxPriority: 10 }],
    },
  ];
}

/**
 * The demo's SLOs, for its named queues (not a `*` pattern: test and scratch queues on a
 * shared Redis would all be judged): urgent work starts within 30 s, medium within 5 min,
 * low within an hour.
 */
export function demoSlos(brokers: readonly unknown[]): unknown[] {
  const demoQueues: [string, string][] = [['redis', 'celery'], ['redis', 'notifications'], ['redis', 'lanes'], ['rabbitmq', 'celery']];
  const present = new Set(brokers.map((b) => (b as { id: string }).id));
  const bands: [string, number][] = [['high', 30], ['medium', 300], ['low', 3600]];
  return demoQueues
    .filter(([broker]) => present.has(broker))
    .flatMap(([broker, queue]) => bands.map(([band, maxWaitSec]) => ({ id: `${broker}-${queue}-${band}`, broker, queue, band, maxWaitSec })));
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): TriageConfig {
  const env = EnvSchema.parse(source);
  let file: Record<string, unknown> = {};
  if (env.TRIAGE_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.TRIAGE_CONFIG, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`cannot read TRIAGE_CONFIG ${env.TRIAGE_CONFIG}: ${(error as Error).message}`);
    }
  }
  let brokers = (file.brokers as unknown[] | undefined) ?? demoBrokers(env);
  if (env.TRIAGE_BROKERS) {
    const wanted = new Set(env.TRIAGE_BROKERS.split(',').map((s) => s.trim()));
    brokers = brokers.filter((b) => wanted.has((b as { id: string }).id));
  }
  const candidate = {
    ...file,
    brokers,
    stateRedisUrl: withMasterName((file.stateRedisUrl as string | undefined) ?? env.REDIS_URL, file.stateRedisMasterName as string | undefined),
    statePrefix: env.TRIAGE_STATE_PREFIX ?? file.statePrefix,
    port: env.PORT,
    production: env.NODE_ENV === 'production' && source.TRIAGE_DEMO !== '1',
    sessionSecret: env.TRIAGE_SESSION_SECRET ?? (file.sessionSecret as string | undefined) ?? null,
    defaultPriority: env.TRIAGE_DEFAULT_PRIORITY ?? file.defaultPriority,
    enqueueMaxBytes: env.TRIAGE_ENQUEUE_MAX_BYTES ?? file.enqueueMaxBytes,
    logLevel: env.LOG_LEVEL ?? file.logLevel,
    highBandAlertSec: env.TRIAGE_HIGH_BAND_ALERT_SEC ?? file.highBandAlertSec,
    // A config file that names its brokers names its SLOs too (none by default).
    slos: file.slos ?? (file.brokers ? [] : demoSlos(brokers)),
    sloIntervalSec: env.TRIAGE_SLO_INTERVAL_SEC ?? file.sloIntervalSec,
    adminToken: env.TRIAGE_ADMIN_TOKEN || null,
    auth: {
      // A real server (next start) stamps every request with its socket address (lib/server/peer.ts).
      requireClientAddress: env.NODE_ENV === 'production',
      ...((file.auth as Record<string, unknown> | undefined) ?? {}),
      ...definedOnly({
        trustProxy: envFlag(env.TRIAGE_TRUST_PROXY),
        loginWindowSec: env.TRIAGE_LOGIN_WINDOW_SEC,
        metricsPublic: envFlag(env.TRIAGE_METRICS_PUBLIC),
      }),
    },
    sampler: {
      ...((file.sampler as Record<string, unknown> | undefined) ?? {}),
      ...definedOnly({
        historyIntervalSec: env.TRIAGE_HISTORY_INTERVAL_SEC,
        liveIntervalMs: env.TRIAGE_LIVE_INTERVAL_MS,
      }),
    },
  };
  const parsed = TriageConfigSchema.safeParse(candidate);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
