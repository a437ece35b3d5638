import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * Worker settings from the command line (`--broker redis --queues a,b --concurrency 4`)
 * or the environment (TRIAGE_WORKER_BROKER, TRIAGE_WORKER_QUEUES, TRIAGE_WORKER_CONCURRENCY);
 * flags win. Task durations scale with TRIAGE_TASK_DURATION_SCALE (0 = instant, for tests);
 * retry backoff with TRIAGE_RETRY_BASE_MS / TRIAGE_RETRY_MAX_MS.
 *
 * The name (`--name` / TRIAGE_WORKER_NAME) is what the Workers page and task timelines show.
 * Like Celery's `celery@host`, the default tells workers on one machine apart by pid; `%h`
 * and `%p` in a chosen name stand for the host name and the pid, as in Celery's `-n`.
 */
const DEFAULT_NAME = 'triage@%h:%p';

function workerName(template: string): string {
  return template.replaceAll('%h', hostname()).replaceAll('%p', String(process.pid));
}

export const WorkerSettingsSchema = z.object({
  broker: z.string().min(1, { error: 'which broker? --broker <id> or TRIAGE_WORKER_BROKER' }),
  queues: z.array(z.string().min(1)).min(1, { error: 'which queues? --queues a,b or TRIAGE_WORKER_QUEUES' }),
  concurrency: z.number().int().min(1).max(256),
  name: z.string().min(1),
  durationScale: z.number().min(0).max(100),
  retryBaseMs: z.number().int().min(0),
  retryMaxMs: z.number().int().min(0),
});

export type WorkerSettings = z.infer<typeof WorkerSettingsSchema>;

export function parseWorkerSettings(argv: readonly string[], env: Record<string, string | undefined> = process.env): WorkerSettings {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    if (eq > 0) flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    else flags.set(arg.slice(2), argv[++i] ?? '');
  }
  for (const key of flags.keys()) {
    if (!['broker', 'queues', 'concurrency', 'name'].includes(key)) throw new Error(`unknown option --${key}`);
  }
  const queues = (flags.get('queues') ?? env.TRIAGE_WORKER_QUEUES ?? '')
    .split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  const parsed = WorkerSettingsSchema.safeParse({
    broker: flags.get('broker') ?? env.TRIAGE_WORKER_BROKER ?? '',
    queues,
    concurrency: Number(flags.get('concurrency') ?? env.TRIAGE_WORKER_CONCURRENCY ?? 1),
    name: workerName(flags.get('name') ?? env.TRIAGE_WORKER_NAME ?? DEFAULT_NAME),
    durationScale: Number(env.TRIAGE_TASK_DURATION_SCALE ?? 1),
    retryBaseMs: Number(env.TRIAGE_RETRY_BASE_MS ?? 1000),
    retryMaxMs: Number(env.TRIAGE_RETRY_MAX_MS ?? 300_000),
  });
  if (!parsed.success) {
    throw new Error(`invalid worker settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
