import { Redis } from 'ioredis';
import { PauseStore } from '@/lib/state/pause-store';
import { queueRef } from '@/lib/state/keys';

/**
 * Keeps the set of paused queues current: a subscription to the PauseStore's control
 * channel for immediate nudges, plus a re-read every POLL_MS because pub/sub drops
 * messages while the subscriber reconnects. Both together keep "paused within 1 s".
 */
const POLL_MS = 500;

export class PauseWatch {
  private paused = new Set<string>();
  private readonly subscriber: Redis;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: PauseStore,
    url: string,
    private readonly onChange: () => void,
  ) {
    this.subscriber = new Redis(url, { connectionName: 'triage-worker:pause', maxRetriesPerRequest: null });
    this.subscriber.on('error', () => {});
  }

  async start(): Promise<void> {
    await this.reload();
    this.subscriber.on('message', () => void this.reload().catch(() => {}));
    await this.subscriber.subscribe(this.store.channel);
    this.timer = setInterval(() => void this.reload().catch(() => {}), POLL_MS);
  }

  isPaused(broker: string, queue: string): boolean {
    return this.paused.has(queueRef(broker, queue));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.subscriber.disconnect();
  }

  private async reload(): Promise<void> {
    const next = new Set((await this.store.all()).keys());
    const changed = next.size !== this.paused.size || [...next].some((ref) => !this.paused.has(ref));
    this.paused = next;
    if (changed) this.onChange();
  }
}
