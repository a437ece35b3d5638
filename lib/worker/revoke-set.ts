import type { RevokeSignal } from '@/lib/shared/revoke';
import type { RevokeEntry } from '@/lib/state/revokes';

/**
 * The revoked ids one worker knows of and the executions it runs, with no I/O (RevokeWatch
 * keeps it current). Terminating a running task: its handler's AbortSignal fires at once
 * (cooperative); a handler still running TERMINATE_GRACE_MS later is abandoned: `stopped`
 * resolves, the executor settles the message and frees the slot, and whatever the handler
 * still does is ignored. SIGKILL skips the grace period.
 */
export const TERMINATE_GRACE_MS = 1000;

/** One running execution, as the executor sees it. */
export interface RevokeScope {
  /**
   * The handler's AbortSignal, made on first read: making one costs more than all the rest
   * of a no-op task's revoke bookkeeping (about 10 µs on Node 20), so only a handler that
   * reads it pays (bench/worker-revokes.ts).
   */
  readonly signal: AbortSignal;
  /** Whether a terminate reached this execution (without making the signal). */
  readonly aborted: boolean;
  /** Resolves once the task must be given up: aborted and the grace period over. */
  stopped: Promise<void>;
  release(): void;
}

/** What the executor asks of the worker's revokes. */
export interface RevokeGuard {
  isRevoked(id: string): boolean;
  track(id: string): RevokeScope;
}

/**
 * A class, not an object literal of closures and getters: one is made per task, and on the
 * worker's hot path the literal cost more than the rest of a no-op task's bookkeeping.
 */
class Running implements RevokeScope {
  /** Made when the signal is first read; aborted at once if the terminate came first. */
  private controller: AbortController | null = null;
  /** The terminate's reason, once one reached it. */
  private abortedWith: Error | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stop: (() => void) | null = null;
  private stoppedPromise: Promise<void> | null = null;
  private given = false;

  constructor(
    private readonly id: string,
    private readonly owner: Map<string, Running>,
  ) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== null;
  }

  get stopped(): Promise<void> {
    this.stoppedPromise ??= this.given ? Promise.resolve() : new Promise<void>((resolve) => (this.stop = resolve));
    return this.stoppedPromise;
  }

  release(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.owner.get(this.id) === this) this.owner.delete(this.id);
  }

  terminate(signal: RevokeSignal): void {
    if (this.abortedWith) return;
    this.abortedWith = new Error(`terminated (${signal})`);
    this.controller?.abort(this.abortedWith);
    if (signal === 'SIGKILL') this.giveUp();
    else this.timer = setTimeout(() => this.giveUp(), TERMINATE_GRACE_MS);
  }

  private giveUp(): void {
    this.given = true;
    this.stop?.();
  }
}

export class RevokeSet implements RevokeGuard {
  private readonly revoked = new Map<string, number>();
  private readonly terminating = new Map<string, RevokeSignal>();
  private readonly running = new Map<string, Running>();
  /** The highest expiry seen: revokes newer than what is known expire at or after it. */
  highest = 0;

  isRevoked(id: string): boolean {
    const expiresAt = this.revoked.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.forget([id]);
    return false;
  }

  track(id: string): RevokeScope {
    const running = new Running(id, this.running);
    this.running.set(id, running);
    const signal = this.terminating.get(id);
    if (signal && this.isRevoked(id)) running.terminate(signal);
    return running;
  }

  /** Adds revokes; a terminate reaches the execution of that id running now. */
  apply(entries: readonly RevokeEntry[]): void {
    for (const entry of entries) {
      this.revoked.set(entry.id, entry.expiresAt);
      this.highest = Math.max(this.highest, entry.expiresAt);
      if (!entry.terminate) continue;
      this.terminating.set(entry.id, entry.terminate);
      const running = this.running.get(entry.id);
      running?.terminate(entry.terminate);
    }
  }

  /** Everything known replaced by `entries` (a full re-read: expired and forgotten ones go). */
  replace(entries: readonly RevokeEntry[]): void {
    this.revoked.clear();
    this.terminating.clear();
    this.apply(entries);
  }

  forget(ids: readonly string[]): void {
    for (const id of ids) {
      this.revoked.delete(id);
      this.terminating.delete(id);
    }
  }
}
