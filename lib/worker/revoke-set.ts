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
  signal: AbortSignal;
  /** Resolves once the task must be given up: aborted and the grace period over. */
  stopped: Promise<void>;
  release(): void;
}

/** What the executor asks of the worker's revokes. */
export interface RevokeGuard {
  isRevoked(id: string): boolean;
  track(id: string): RevokeScope;
}

interface Running {
  controller: AbortController;
  stop: () => void;
  timer: NodeJS.Timeout | null;
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
    const controller = new AbortController();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running: Running = { controller, stop, timer: null };
    this.running.set(id, running);
    const signal = this.terminating.get(id);
    if (signal && this.isRevoked(id)) terminate(running, signal);
    return {
      signal: controller.signal,
      stopped,
      release: () => {
        if (running.timer) clearTimeout(running.timer);
        if (this.running.get(id) === running) this.running.delete(id);
      },
    };
  }

  /** Adds revokes; a terminate reaches the execution of that id running now. */
  apply(entries: readonly RevokeEntry[]): void {
    for (const entry of entries) {
      this.revoked.set(entry.id, entry.expiresAt);
      this.highest = Math.max(this.highest, entry.expiresAt);
      if (!entry.terminate) continue;
      this.terminating.set(entry.id, entry.terminate);
      const running = this.running.get(entry.id);
      if (running) terminate(running, entry.terminate);
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

function terminate(running: Running, signal: RevokeSignal): void {
  if (running.controller.signal.aborted) return;
  running.controller.abort(new Error(`terminated (${signal})`));
  if (signal === 'SIGKILL') running.stop();
  else running.timer = setTimeout(running.stop, TERMINATE_GRACE_MS);
}
