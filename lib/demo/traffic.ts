import type { QueueBroker } from '@/lib/brokers/types';
import type { Logger } from '@/lib/logger';

/**
 * Demo traffic that looks like a real product's: a steady trickle of urgent OTPs, emails
 * at medium priority, nightly-report style bulk work at low priority, and now and then a
 * burst of low-value work that backs a queue up. It stops adding to a queue whose backlog
 * passes `maxDepth`, so a demo left running without workers does not fill the disk.
 */
export interface TrafficTarget {
  broker: QueueBroker;
  queue: string;
}

interface TaskKind {
  task: string;
  priority: () => number;
  args: () => unknown[];
  kwargs: () => Record<string, unknown>;
  /** Relative frequency. */
  weight: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

const KINDS: TaskKind[] = [
  {
    task: 'myapp.tasks.send_otp',
    priority: () => 0,
    args: () => [`+1555${between(1000000, 9999999)}`],
    kwargs: () => ({ code: String(between(100000, 999999)) }),
    weight: 3,
  },
  {
    task: 'myapp.tasks.send_email',
    priority: () => between(3, 5),
    args: () => [`user${between(1, 5000)}@example.com`, pick(['Welcome', 'Your receipt', 'Password changed', 'Weekly digest'])],
    kwargs: () => ({ template: pick(['welcome', 'receipt', 'security', 'digest']) }),
    weight: 5,
  },
  {
    task: 'myapp.tasks.process_data',
    priority: () => between(4, 7),
    args: () => [between(1, 100_000)],
    kwargs: () => ({ source: pick(['s3://uploads', 'postgres://events']) }),
    weight: 2,
  },
  {
    task: 'myapp.tasks.generate_report',
    priority: () => between(8, 9),
    args: () => [pick(['weekly-sales', 'churn', 'inventory'])],
    kwargs: () => ({ format: pick(['pdf', 'csv']) }),
    weight: 1,
  },
];

function weightedKind(): TaskKind {
  const total = KINDS.reduce((sum, k) => sum + k.weight, 0);
  let roll = Math.random() * total;
  for (const kind of KINDS) {
    roll -= kind.weight;
    if (roll <= 0) return kind;
  }
  return KINDS[0]!;
}

export function startTraffic(
  targets: TrafficTarget[],
  logger: Logger,
  options: { tickMs?: number; maxDepth?: number; burstEveryTicks?: number } = {},
): () => void {
  const tickMs = options.tickMs ?? 1000;
  const maxDepth = options.maxDepth ?? 5000;
  const burstEvery = options.burstEveryTicks ?? 45;
  let tick = 0;
  let stopped = false;

  const once = async () => {
    tick += 1;
    for (const target of targets) {
      try {
        const queue = await target.broker.getQueue(target.queue);
        if (!queue || queue.depth >= maxDepth) continue;
        const burst = tick % burstEvery === 0;
        const count = burst ? between(150, 400) : between(1, 6);
        const items = Array.from({ length: count }, () => {
          const kind = burst ? KINDS[3]! : weightedKind();
          return { priority: kind.priority(), spec: { task: kind.task, args: kind.args(), kwargs: kind.kwargs() } };
        });
        await target.broker.enqueue(target.queue, items);
        if (burst) logger.info({ broker: target.broker.id, queue: target.queue, count }, 'demo burst of low-priority work');
      } catch (error) {
        // A broker that is down is reported by the dashboard; the demo just tries again.
        logger.debug({ err: (error as Error).message, broker: target.broker.id }, 'demo traffic skipped a tick');
      }
    }
  };

  const timer = setInterval(() => {
    if (!stopped) void once();
  }, tickMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
