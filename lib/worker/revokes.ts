import { Redis } from 'ioredis';
import type { RevokeSignal } from '@/lib/shared/revoke';
import type { RevokeEntry, RevokeStore } from '@/lib/state/revokes';

/**
 * The worker's view of revoked task ids: loaded from the RevokeStore at start (so a revoke
 * outlives worker restarts), kept current by the store's channel and a re-read every
 * POLL_MS (pub/sub drops messages while the subscriber reconnects). A delivery is checked
 * against the in-memory set, never with a round trip per task.
 *
 * Terminating a running task: its handler's AbortSignal fires at once (cooperative); a
 * handler still running GRACE_MS later is abandoned: `stopped` resolves, the executor
 * settles the message and frees the slot, and whatever the handler still does is ignored.
 * SIGKILL skips the grace period.
 */
const POLL_MS = 1000;
const RESYNC_MS = 60_000;
export const TERMINATE_GRACE_MS = 1000;

/** One running execution, as the executor sees it. */
export interface RevokeScope {
  signal: AbortSignal;
  /** Resolves once the task must be given up: aborted and the grace period over. */
  stopped: Promise<void>;
  release(): void;
}

/** What the executor asks of the revoke watch. */
export interface RevokeGuard {
  isRevoked(id: string): boolean;
  track(id: string): RevokeScope;
}

interface Running {
  controller: AbortController;
  stop: () => void;
  timer: NodeJS.Timeout | null;
}

export class RevokeWatch implements RevokeGuard {
  private readonly revoked = new Map<string, number>();
  private readonly terminating = new Map<string, RevokeSignal>();
  private readonly running = new Map<string, Running>();
  private readonly subscriber: Redis;
  private highest = 0;
  private syncedAt = Date.now();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: RevokeStore,
    url: string,
  ) {
    this.subscriber = new Redis(url, { connectionName: 'triage-worker:revokes', maxRetriesPerRequest: null });
    this.subscriber.on('error', () => {});
  }

  async start(): Promise<void> {
    await this.resync();
    this.subscriber.on('message', (_channel: string, raw: string) => void this.onMessage(raw).catch(() => {}));
    await this.subscriber.subscribe(this.store.channel);
    this.timer = setInterval(() => void this.reload().catch(() => {}), POLL_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber.disconnect();
  }

  isRevoked(id: string): boolean {
    const expiresAt = this.revoked.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.revoked.delete(id);
    this.terminating.delete(id);
    return false;
  }

  track(id: string): RevokeScope {
    const controller = new AbortController();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running: Running = { controller, stop, timer: null };
    this.running.set(id, running);
    const signal = this.terminating.get(id);
    if (signal && this.isRevoked(id)) this.terminate(running, signal);
    return {
      signal: controller.signal,
      stopped,
      release: () => {
        if (running.timer) clearTimeout(running.timer);
        if (this.running.get(id) === running) this.running.delete(id);
      },
    };
  }

  private terminate(running: Running, signal: RevokeSignal): void {
    if (running.controller.signal.aborted) return;
    running.controller.abort(new Error(`terminated (${signal})`));
    if (signal === 'SIGKILL') running.stop();
    else running.timer = setTimeout(running.stop, TERMINATE_GRACE_MS);
  }

  private async onMessage(raw: string): Promise<void> {
    const forget = (JSON.parse(raw) as { forget?: string[] }).forget;
    if (!forget) return this.reload();
    // More than the message carries: only a full re-read tells which ones went.
    if (forget.length === 0) return this.resync();
    for (const id of forget) {
      this.revoked.delete(id);
      this.terminating.delete(id);
    }
  }

  private async reload(): Promise<void> {
    if (Date.now() - this.syncedAt > RESYNC_MS) return this.resync();
    this.apply(await this.store.since(this.highest));
  }

  /**
   * Re-reads every revoke: drops the expired ones (memory follows the retention period, not
   * the worker's age) and the forgotten ones whose announcement was missed.
   */
  private async resync(): Promise<void> {
    this.syncedAt = Date.now();
    const entries = await this.store.since(0);
    this.revoked.clear();
    this.terminating.clear();
    this.apply(entries);
  }

  private apply(entries: readonly RevokeEntry[]): void {
    for (const entry of entries) {
      this.revoked.set(entry.id, entry.expiresAt);
      this.highest = Math.max(this.highest, entry.expiresAt);
      if (!entry.terminate) continue;
      this.terminating.set(entry.id, entry.terminate);
      const running = this.running.get(entry.id);
      if (running) this.terminate(running, entry.terminate);
    }
  }
}
