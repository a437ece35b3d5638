import type { Delivery } from '@/lib/brokers/types';
import { tasksPerMs } from '@/lib/shared/rate-limit';
import type { WorkerTaskRef } from '@/lib/shared/types';
import { registeredTask } from './tasks';

/**
 * The Celery remote-control commands, as Triage's worker understands them (same names,
 * arguments and `{ok}`/`{error}` replies as celery/worker/control.py), and the state they
 * leave behind: the pool size, consumers cancelled, rate and time limits per task name,
 * and which tasks run or wait now (reported in the worker record).
 *
 * Differences from Celery: there is no pool to restart or autoscaler, so `pool_restart` is
 * refused and `autoscale` only clamps the slot count. `add_consumer` of a queue the broker
 * does not have is refused (Celery would declare it).
 */

export interface WorkerHooks {
  concurrency(): number;
  resize(concurrency: number): void;
  /** The queues the worker was started with. */
  queues: readonly string[];
  /** Starts taking from one more queue of the worker's broker; throws (with the reason) when it cannot. */
  addQueue(queue: string): Promise<void>;
  /** Takes nothing new, lets running tasks finish, then exits. */
  shutdown(): void;
  /** Re-check which queues to take from now. */
  nudge(): void;
}

export interface TimeLimits {
  softMs?: number;
  hardMs?: number;
}

type Reply = { ok: string } | { error: string };

const ok = (message: string): Reply => ({ ok: message });
const nok = (message: string): Reply => ({ error: message });

function positiveInt(value: unknown, fallback: number): number {
  const n = value === undefined || value === null ? fallback : Number(value);
  return Number.isInteger(n) && n > 0 ? n : NaN;
}

function seconds(value: unknown): number | undefined {
  const n = Number(value);
  return value === null || value === undefined || !(n > 0) ? undefined : n * 1000;
}

export class RemoteControl {
  private readonly cancelled = new Set<string>();
  /** Queues add_consumer brought in beyond those the worker was started with, in that order. */
  private readonly added: string[] = [];
  /** Task name → ms per task; the next run of that task is not before `nextAt`. */
  private readonly rates = new Map<string, { interval: number; nextAt: number }>();
  private readonly timeLimits = new Map<string, TimeLimits>();
  private readonly active = new Map<string, WorkerTaskRef>();
  /** Taken and held back by a rate limit: Celery calls these reserved. */
  private readonly reserved = new Map<string, WorkerTaskRef>();

  constructor(private readonly hooks: WorkerHooks) {}

  /** Answers one command (lib/state/worker-mailbox.ts delivers them). */
  async handle(method: string, args: Record<string, unknown>): Promise<Reply> {
    switch (method) {
      case 'pool_grow':
      case 'pool_shrink': {
        const n = positiveInt(args.n, 1);
        if (Number.isNaN(n)) return nok('n must be a positive integer');
        const grow = method === 'pool_grow';
        const current = this.hooks.concurrency();
        if (!grow && current - n < 1) return nok(`cannot shrink ${current} slots by ${n}: a worker keeps at least 1`);
        this.hooks.resize(current + (grow ? n : -n));
        return ok(grow ? 'pool will grow' : 'pool will shrink');
      }
      case 'pool_restart':
        return nok('Pool restarts not supported: Triage workers run tasks in their own process');
      case 'autoscale': {
        const max = positiveInt(args.max, NaN);
        const min = args.min === undefined || args.min === null ? max : Number(args.min);
        if (Number.isNaN(max) || !Number.isInteger(min) || min < 0 || min > max) return nok('max must be a positive integer and 0 <= min <= max');
        const clamped = Math.min(max, Math.max(Math.max(min, 1), this.hooks.concurrency()));
        this.hooks.resize(clamped);
        return ok(`autoscale now max=${max} min=${min}`);
      }
      case 'rate_limit': {
        const task = String(args.task_name ?? '');
        if (!registeredTask(task)) return nok('unknown task');
        let perMs: number | null;
        try {
          perMs = tasksPerMs(String(args.rate_limit ?? ''));
        } catch (error) {
          return nok(`Invalid rate limit string: ${(error as Error).message}`);
        }
        if (perMs === null) {
          this.rates.delete(task);
          return ok('rate limit disabled successfully');
        }
        this.rates.set(task, { interval: 1 / perMs, nextAt: 0 });
        return ok('new rate limit set successfully');
      }
      case 'time_limit': {
        const task = String(args.task_name ?? '');
        if (!registeredTask(task)) return nok('unknown task');
        const limits: TimeLimits = {};
        const softMs = seconds(args.soft);
        const hardMs = seconds(args.hard);
        if (softMs) limits.softMs = softMs;
        if (hardMs) limits.hardMs = hardMs;
        if (limits.softMs || limits.hardMs) this.timeLimits.set(task, limits);
        else this.timeLimits.delete(task);
        return ok('time limits set successfully');
      }
      case 'add_consumer': {
        const queue = String(args.queue ?? '');
        if (queue === '') return nok('queue is required');
        if (!this.allQueues().includes(queue)) {
          try {
            await this.hooks.addQueue(queue);
          } catch (error) {
            return nok(`cannot add consumer ${queue}: ${error instanceof Error ? error.message : String(error)}`);
          }
          if (!this.allQueues().includes(queue)) this.added.push(queue);
        }
        this.cancelled.delete(queue);
        this.hooks.nudge();
        return ok(`add consumer ${queue}`);
      }
      case 'cancel_consumer': {
        const queue = String(args.queue ?? '');
        this.cancelled.add(queue);
        this.hooks.nudge();
        return ok(`no longer consuming from ${queue}`);
      }
      case 'shutdown':
        this.hooks.shutdown();
        return ok('worker will shut down');
      case 'ping':
        return ok('pong');
      default:
        return nok(`unknown command ${method}`);
    }
  }

  /** A queue cancel_consumer stopped: taken from no more until add_consumer. */
  isCancelled(queue: string): boolean {
    return this.cancelled.has(queue);
  }

  /** Started with and added since, cancelled or not. */
  allQueues(): string[] {
    return [...this.hooks.queues, ...this.added];
  }

  consumedQueues(): string[] {
    return this.allQueues().filter((q) => !this.cancelled.has(q));
  }

  timeLimitsFor(task: string): TimeLimits | undefined {
    return this.timeLimits.get(task);
  }

  /** Waits until the task's rate limit lets it run (at once without one); it counts as reserved meanwhile. */
  async admit(delivery: Delivery): Promise<void> {
    const ref = refOf(delivery);
    const rate = ref && this.rates.get(ref.task);
    if (!ref || !rate) return;
    const now = Date.now();
    const at = Math.max(now, rate.nextAt);
    rate.nextAt = at + rate.interval;
    if (at <= now) return;
    this.reserved.set(ref.id, ref);
    try {
      await new Promise((resolve) => setTimeout(resolve, at - now));
    } finally {
      this.reserved.delete(ref.id);
    }
  }

  /** Marks the delivery's task running until the returned function is called. */
  started(delivery: Delivery): () => void {
    const ref = refOf(delivery);
    if (!ref) return () => {};
    this.active.set(ref.id, { ...ref, startedAt: new Date().toISOString() });
    return () => this.active.delete(ref.id);
  }

  /** What the worker record reports: running tasks and those held back by a rate limit. */
  snapshot(): { activeTasks: WorkerTaskRef[]; reservedTasks: WorkerTaskRef[] } {
    return { activeTasks: [...this.active.values()], reservedTasks: [...this.reserved.values()] };
  }
}

function refOf(delivery: Delivery): { id: string; task: string } | null {
  const { decoded } = delivery;
  if (decoded.ok) return { id: decoded.task.id, task: decoded.task.task };
  return decoded.id ? { id: decoded.id, task: decoded.taskName ?? 'unknown' } : null;
}
