import { watchChannel, type Subscriber } from '@/lib/redis/subscriber';
import type { RevokeStore } from '@/lib/state/revokes';
import { RevokeSet, type RevokeGuard, type RevokeScope } from './revoke-set';

/**
 * Keeps the worker's RevokeSet current: loaded from the RevokeStore at start (so a revoke
 * outlives worker restarts), then the store's channel for immediate news plus a re-read
 * every POLL_MS of what is newer than the highest expiry seen (pub/sub drops messages while
 * the subscriber reconnects), and a full re-read every RESYNC_MS. A delivery is checked
 * against memory, never with a round trip per task.
 */
const POLL_MS = 1000;
const RESYNC_MS = 60_000;

export class RevokeWatch implements RevokeGuard {
  private readonly set = new RevokeSet();
  private syncedAt = 0;
  private stopWatch: (() => Promise<void>) | null = null;

  constructor(
    private readonly store: RevokeStore,
    private readonly subscriber: Subscriber,
  ) {}

  async start(): Promise<void> {
    // The first reload is a full read (syncedAt 0): a revoke made while no worker ran holds at once.
    this.stopWatch = await watchChannel(this.subscriber, {
      channel: this.store.channel,
      everyMs: POLL_MS,
      reload: () => this.reload(),
      onMessage: (raw) => this.onMessage(raw),
    });
  }

  async close(): Promise<void> {
    await this.stopWatch?.();
  }

  isRevoked(id: string): boolean {
    return this.set.isRevoked(id);
  }

  track(id: string): RevokeScope {
    return this.set.track(id);
  }

  private async onMessage(raw: string): Promise<void> {
    const forget = (JSON.parse(raw) as { forget?: string[] }).forget;
    if (!forget) return this.reload();
    // More than the message carries: only a full re-read tells which ones went.
    if (forget.length === 0) return this.resync();
    this.set.forget(forget);
  }

  private async reload(): Promise<void> {
    if (Date.now() - this.syncedAt > RESYNC_MS) return this.resync();
    this.set.apply(await this.store.since(this.set.highest));
  }

  /** Memory follows the retention period, not the worker's age; forgotten ones missed on the channel go too. */
  private async resync(): Promise<void> {
    this.syncedAt = Date.now();
    this.set.replace(await this.store.since(0));
  }
}
