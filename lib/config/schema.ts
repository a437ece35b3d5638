import { z } from 'zod';
import { BrokerConfigSchema } from '@/lib/brokers/registry';
import { ROLES } from '@/lib/shared/roles';
import { SloListSchema } from '@/lib/shared/slos';

/**
 * The shape of Triage's configuration (env + optional JSON file, product.md §6). A broker's
 * own fields are its driver's schema (lib/brokers/<kind>/config.ts), joined by the registry.
 */

export const RoleSchema = z.enum(ROLES);

/** User and token names: what audit entries and the CLI show; no spaces or slashes. */
export const PrincipalNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, { error: 'names are 1-64 letters, digits, . _ @ - (starting with a letter or digit)' });

/** A deployment's users, pre-hashed (`npm run user -- hash` prints the `passwordHash`). */
export const ConfigUserSchema = z
  .object({
    name: PrincipalNameSchema,
    role: RoleSchema,
    /** `scrypt$N$r$p$<salt base64>$<hash base64>`, as lib/server/password.ts writes it. */
    passwordHash: z.string().startsWith('scrypt$'),
  })
  .strict();

/** A deployment's API tokens: only the SHA-256 (hex) of the secret is kept. */
export const ConfigTokenSchema = z
  .object({
    name: PrincipalNameSchema,
    role: RoleSchema,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'sha256 is 64 lowercase hex digits' }),
  })
  .strict();

export const AuthConfigSchema = z
  .object({
    /**
     * Behind a reverse proxy that sets X-Forwarded-For / X-Forwarded-Proto / X-Forwarded-Host
     * (and overwrites what clients send): trust them for the client address, Secure cookies
     * and the Origin check. Off by default because clients can send those headers themselves.
     */
    trustProxy: z.boolean().default(false),
    /**
     * Refuse logins (503) whose client address cannot be told, instead of throttling them all
     * under one shared address. Default: on under NODE_ENV=production (lib/config/index.ts).
     */
    requireClientAddress: z.boolean().default(false),
    /** A session unused for this long ends. */
    sessionIdleSec: z.number().int().min(60).default(12 * 3600),
    /** A session ends this long after login however busy it is. */
    sessionMaxAgeSec: z.number().int().min(60).default(24 * 3600),
    /**
     * Login attempts counted over `loginWindowSec` (README, Security): per user name and client
     * address (refused beyond `loginMaxPerUser`), per client address (refused beyond
     * `loginMaxPerIp`), and per user name from all addresses (beyond `loginMaxPerUser`, slowed
     * down, never refused).
     */
    loginWindowSec: z.number().int().min(1).default(15 * 60),
    loginMaxPerUser: z.number().int().min(1).default(5),
    loginMaxPerIp: z.number().int().min(1).default(50),
    /** Open event streams re-check their token or session this often, and close once it is gone. */
    streamRecheckSec: z.number().int().min(1).max(10).default(10),
    /** An event stream closes after this long however valid its credentials (the browser reconnects). */
    streamMaxSec: z.number().int().min(1).max(24 * 3600).default(15 * 60),
    /** `/metrics` without a token (for scrapers on a private network). */
    metricsPublic: z.boolean().default(false),
  })
  .strict();

/** How much of the audit and security logs Redis keeps (entries; older ones are trimmed). */
export const AuditConfigSchema = z
  .object({
    /** Successful mutations (`GET /api/v1/audit`). */
    maxEntries: z.number().int().min(100).default(100_000),
    /** Failed operations, failed logins and refused requests (`GET /api/v1/security-log`), capped apart so they never push the audit log out. */
    securityMaxEntries: z.number().int().min(100).default(100_000),
  })
  .strict();

/** The one server-side poller (lib/server/sampler.ts): backlog history and the live SSE feed. */
export const SamplerConfigSchema = z
  .object({
    /** Backlog history resolution (product.md §3: 10 s). */
    historyIntervalSec: z.number().int().min(1).max(3600).default(10),
    /** History kept at full resolution (product.md §3: at least 24 h). */
    historyRetentionSec: z.number().int().min(60).default(24 * 3600),
    /** Live snapshot refresh while at least one browser tab listens; one poll per process however many tabs. */
    liveIntervalMs: z.number().int().min(250).max(60_000).default(2000),
  })
  .strict();

/** `GET /api/v1/search` per caller (lib/server/search-limit.ts): one at a time, and at most this many a minute. */
export const SearchConfigSchema = z
  .object({
    maxPerMinute: z.number().int().min(1).max(10_000).default(10),
  })
  .strict();

/**
 * The task explorer's retention (lib/state/task-index.ts): executions are kept this long after
 * their last change, and at most this many (the oldest changes go first), whichever comes first.
 */
export const TasksConfigSchema = z
  .object({
    retentionSec: z.number().int().min(60).max(365 * 24 * 3600).default(7 * 24 * 3600),
    maxExecutions: z.number().int().min(100).max(100_000_000).default(1_000_000),
  })
  .strict();

export const DEFAULT_HIGH_BAND_ALERT_SEC = 30;

export const TriageConfigSchema = z
  .object({
    brokers: z.array(BrokerConfigSchema).min(1),
    defaultPriority: z.number().int().min(0).max(9).default(5),
    /** Bytes one enqueue request may add to a broker (count × one message's encoded size). */
    enqueueMaxBytes: z.number().int().min(1024).default(16 * 1024 * 1024),
    /** Where Triage keeps its own state (audit, history, archives, task states). */
    stateRedisUrl: z.string().default('redis://127.0.0.1:6379/0'),
    /** The Sentinel master group when `stateRedisUrl` lists sentinels (folded into the URL on load). */
    stateRedisMasterName: z.string().min(1).optional(),
    statePrefix: z.string().min(1).default('triage:'),
    port: z.number().int().min(1).max(65535).default(3000),
    production: z.boolean().default(false),
    sessionSecret: z.string().nullable().default(null),
    /** `TRIAGE_ADMIN_TOKEN`: accepted as an admin bearer token (automation, first setup). */
    adminToken: z.string().min(1).nullable().default(null),
    auth: AuthConfigSchema.prefault({}),
    users: z.array(ConfigUserSchema).default([]),
    tokens: z.array(ConfigTokenSchema).default([]),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    sampler: SamplerConfigSchema.prefault({}),
    audit: AuditConfigSchema.prefault({}),
    search: SearchConfigSchema.prefault({}),
    tasks: TasksConfigSchema.prefault({}),
    /** A queue whose high band (P0–2) has waited longer than this is flagged (`Queue.highBandAlert`). */
    highBandAlertSec: z.number().int().min(1).max(7 * 24 * 3600).default(DEFAULT_HIGH_BAND_ALERT_SEC),
    /** Priority SLOs of the config file (docs/slos.md): read-only through the API; admins add their own. */
    slos: SloListSchema.default([]),
    /** How often the deployment's one SLO evaluator (lib/server/slo-evaluator.ts) judges every SLO. */
    sloIntervalSec: z.number().int().min(1).max(300).default(5),
  })
  .strict()
  .superRefine((config, ctx) => {
    const ids = new Set<string>();
    for (const broker of config.brokers) {
      if (ids.has(broker.id)) ctx.addIssue({ code: 'custom', message: `duplicate broker id ${broker.id}` });
      ids.add(broker.id);
    }
    for (const [i, slo] of config.slos.entries()) {
      if (!ids.has(slo.broker)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'broker'], message: `SLO ${slo.id} names broker ${slo.broker}, which is not configured` });
    }
  });

export type TriageConfig = z.infer<typeof TriageConfigSchema>;
export type AuthConfig = z.infer<typeof AuthConfigSchema>;
export type SamplerConfig = z.infer<typeof SamplerConfigSchema>;
export type AuditConfig = z.infer<typeof AuditConfigSchema>;
export type SearchConfig = z.infer<typeof SearchConfigSchema>;
export type TasksConfig = z.infer<typeof TasksConfigSchema>;
export type ConfigUser = z.infer<typeof ConfigUserSchema>;
export type ConfigToken = z.infer<typeof ConfigTokenSchema>;
