import { watchChannel, type Subscriber } from '@/lib/redis/subscriber';
import { PauseStore } from '@/lib/state/pause-store';
import { queueRef } from '@/lib/state/keys';

/**
 * Keeps the set of paused queues current: the PauseStore's control channel for immediate
 * nudges, plus a re-read every POLL_MS because pub/sub drops messages while the subscriber
 * reconnects. Both together keep "paused within 1 s".
 */
const POLL_MS = 500;

export class PauseWatch {
  private paused = new Set<string>();
  private stopWatch: (() => Promise<void>) | null = null;

  constructor(
    private readonly store: PauseStore,
    private readonly subscriber: Subscriber,
    private readonly onChange: () => void,
  ) {}

  async start(): Promise<void> {
    this.stopWatch = await watchChannel(this.subscriber, { channel: this.store.channel, everyMs: POLL_MS, reload: () => this.reload() });
  }

  isPaused(broker: string, queue: string): boolean {
    return this.paused.has(queueRef(broker, queue));
  }

  async close(): Promise<void> {
    await this.stopWatch?.();
  }

  private async reload(): Promise<void> {
    const next = new Set((await this.store.all()).keys());
    const changed = next.size !== this.paused.size || [...next].some((ref) => !this.paused.has(ref));
    this.paused = next;
    if (changed) this.onChange();
  }
}
