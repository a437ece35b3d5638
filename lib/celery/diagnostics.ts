import { z } from 'zod';
import type { Queue } from '@/lib/shared/types';

/**
 * What real Celery workers report over remote control (`stats`, `conf`, `active_queues`),
 * turned into the settings that silently break priority (celery-wire.md §2.4, §2.7, §7):
 * reserving more than one task per slot, acking early, other priority steps or separator
 * than the queue uses, several lanes of one lane group in one worker.
 */

/** The remote-control commands a diagnosis needs, in the order `fromReplies` reads them. */
export const DIAGNOSTIC_COMMANDS = [{ method: 'stats' }, { method: 'conf' }, { method: 'active_queues' }] as const;

const TransportOptionsSchema = z
  .object({
    priority_steps: z.array(z.number()).optional(),
    sep: z.string().optional(),
    queue_order_strategy: z.string().optional(),
  })
  .loose();

export type TransportOptions = z.infer<typeof TransportOptionsSchema>;

/**
 * How one broker kind's Celery transport can break priority beyond what every kind shares
 * (reserving, acking early): each broker driver provides these (lib/brokers/<kind>/).
 */
export interface CeleryTransportRules {
  /** Warnings about worker `who`'s transport options against a queue it consumes (Redis: other priority steps or separator). */
  queueWarnings(who: string, options: TransportOptions, queue: Queue): string[];
  /**
   * A worker consumes several lanes of one lane group (`consumedLanes`, in its consume order):
   * null when it takes them strictly in lane order; else why it does not, and a fix other than
   * one worker per lane, if there is one.
   */
  laneInterleaving(options: TransportOptions | null, consumedLanes: readonly string[], inLaneOrder: boolean): { why: string; otherFix?: string } | null;
}

const StatsSchema = z
  .object({
    pid: z.number().optional(),
    uptime: z.number().optional(),
    // 'N/A' when the worker has no QoS yet.
    prefetch_count: z.union([z.number(), z.string()]).optional(),
    pool: z.object({ 'max-concurrency': z.union([z.number(), z.string()]).optional() }).loose().optional(),
    broker: z.object({ transport_options: TransportOptionsSchema.optional() }).loose().optional(),
    total: z.record(z.string(), z.number()).optional(),
  })
  .loose();

/** `conf` without defaults lists only what the app changed; an absent setting has Celery's default. */
const ConfSchema = z
  .object({
    task_acks_late: z.boolean().optional(),
    broker_transport_options: TransportOptionsSchema.nullable().optional(),
  })
  .loose();

const ActiveQueuesSchema = z.array(z.object({ name: z.string() }).loose());

export interface WorkerReport {
  hostname: string;
  stats: z.infer<typeof StatsSchema> | null;
  conf: z.infer<typeof ConfSchema> | null;
  /** In the worker's consume order; null when it did not answer. */
  queues: string[] | null;
}

/** Replies to DIAGNOSTIC_COMMANDS (hostname → reply, one map per command) → one report per worker. */
export function fromReplies(replies: readonly ReadonlyMap<string, unknown>[]): WorkerReport[] {
  const [stats, conf, queues] = replies;
  const hosts = new Set([...(stats?.keys() ?? []), ...(conf?.keys() ?? []), ...(queues?.keys() ?? [])]);
  return [...hosts].sort().map((hostname) => ({
    hostname,
    stats: parsed(StatsSchema, stats?.get(hostname)),
    conf: parsed(ConfSchema, conf?.get(hostname)),
    queues: parsed(ActiveQueuesSchema, queues?.get(hostname))?.map((q) => q.name) ?? null,
  }));
}

/** A reply, or null when absent, an error reply (`{"error": ...}`: command unknown or disabled) or unreadable. */
function parsed<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !Array.isArray(value) && 'error' in value) return null;
  const result = schema.safeParse(value);
  return result.success ? result.data : null;
}

export interface WorkerDiagnosis {
  hostname: string;
  pid: number | null;
  /** Pool size; null when `stats` was not answered. */
  concurrency: number | null;
  /** Tasks the worker may reserve at once (concurrency × prefetch multiplier); 0 = unlimited. */
  prefetch: number | null;
  queues: string[];
  processed: number | null;
  uptimeSec: number | null;
  warnings: string[];
}

export interface Diagnosis {
  workers: WorkerDiagnosis[];
  /** Queue name → warnings about the workers consuming it. */
  queueWarnings: Map<string, string[]>;
}

function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function transportOptions(report: WorkerReport): TransportOptions | null {
  // `stats` carries the connection's transport options too, so steps are known even when `conf` is disabled.
  return report.conf?.broker_transport_options ?? report.stats?.broker?.transport_options ?? (report.conf || report.stats ? {} : null);
}

const list = (names: readonly string[]) => names.join(', ');

/** Diagnoses the Celery workers of one broker (whose driver's `rules`) against the queues Triage lists for it. */
export function diagnose(rules: CeleryTransportRules, reports: readonly WorkerReport[], queues: readonly Queue[]): Diagnosis {
  const queueWarnings = new Map<string, string[]>();
  const warnQueue = (queue: string, warning: string) => queueWarnings.set(queue, [...(queueWarnings.get(queue) ?? []), warning]);
  const workers = reports.map((report): WorkerDiagnosis => {
    const consumed = report.queues ?? [];
    const concurrency = numberOf(report.stats?.pool?.['max-concurrency']);
    const prefetch = numberOf(report.stats?.prefetch_count);
    const warnings: string[] = [];
    const warn = (affected: readonly Queue[], warning: string) => {
      warnings.push(warning);
      for (const q of affected) warnQueue(q.name, warning);
    };
    // The Triage queues this worker feeds from, and which of them hold priorities apart.
    const served = queues.filter((q) => consumed.includes(q.name) || q.lanes?.some((l) => consumed.includes(l.queue)));
    const prioritized = served.filter((q) => q.levels.length > 1);
    const names = list(prioritized.map((q) => q.name));
    const who = `Celery worker ${report.hostname}`;

    if (prioritized.length > 0 && prefetch !== null && concurrency !== null && (prefetch === 0 || prefetch > concurrency)) {
      const reserve = prefetch === 0 ? 'an unlimited number of tasks' : `up to ${prefetch} tasks for ${concurrency} slot${concurrency === 1 ? '' : 's'}`;
      warn(
        prioritized,
        `${who} reserves ${reserve} from prioritized ${names}: reserved tasks cannot be overtaken by more urgent ones; run it with worker_prefetch_multiplier = 1`,
      );
    }
    if (prioritized.length > 0 && report.conf && report.conf.task_acks_late !== true) {
      warn(
        prioritized,
        `${who} acknowledges tasks early (task_acks_late is off) on prioritized ${names}: it takes the next task while one runs, so a more urgent task arriving meanwhile waits; set task_acks_late = True`,
      );
    }
    if (prioritized.length > 0 && !report.conf) {
      warnings.push(`${who} did not answer the remote-control command conf (disabled?): whether it acknowledges tasks late could not be checked`);
    }

    const options = transportOptions(report);
    if (options) {
      for (const q of served) for (const warning of rules.queueWarnings(who, options, q)) warn([q], warning);
    }

    for (const group of served.filter((q) => q.lanes)) {
      const lanes = group.lanes!.map((l) => l.queue).filter((lane) => consumed.includes(lane));
      if (lanes.length < 2) continue;
      const order = consumed.filter((q) => lanes.includes(q));
      const interleaving = rules.laneInterleaving(options, order, JSON.stringify(order) === JSON.stringify(lanes));
      if (!interleaving) continue;
      warn(
        [group],
        `${who} consumes lanes ${list(lanes)} of lane group ${group.name} in one worker: ${interleaving.why}, so a less urgent lane can go before a more urgent one; run one worker per lane${interleaving.otherFix ? `, or ${interleaving.otherFix}` : ''}`,
      );
    }

    return {
      hostname: report.hostname,
      pid: numberOf(report.stats?.pid),
      concurrency,
      prefetch,
      queues: consumed,
      processed: report.stats?.total ? Object.values(report.stats.total).reduce((a, b) => a + b, 0) : null,
      uptimeSec: numberOf(report.stats?.uptime),
      warnings,
    };
  });
  return { workers, queueWarnings };
}
