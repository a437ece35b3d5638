import type { Redis } from 'ioredis';
import { createRedisClient } from './connection';

type Listener = (message: string) => void;

/**
 * One pub/sub connection shared by every channel a process listens on (a subscribed
 * connection can run nothing else, so one is the least there can be). ioredis subscribes
 * again by itself after a reconnect; messages published meanwhile are lost, which is why
 * `watchChannel` also re-reads on a timer.
 */
export class Subscriber {
  private readonly client: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(url: string, name: string) {
    // `wait`: a subscribe sent while the server is down is held, not failed.
    this.client = createRedisClient(url, { name, whileDown: 'wait' });
    this.client.on('message', (channel: string, message: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener(message);
    });
  }

  /** Resolves once subscribed; the returned function stops this listener (and the channel when it was the last). */
  async listen(channel: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    const first = !set;
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    if (first) await this.client.subscribe(channel);
    return async () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(channel);
      if (this.client.status === 'ready') await this.client.unsubscribe(channel).catch(() => {});
    };
  }

  close(): void {
    this.listeners.clear();
    this.client.disconnect();
  }
}

export interface ChannelWatch {
  channel: string;
  /** Re-read what the channel announces changes of; run at start, on the timer, and on a message without `onMessage`. */
  reload(): Promise<void>;
  /** How often to re-read anyway (messages are lost while the subscriber reconnects). */
  everyMs: number;
  /** Handles a message itself instead of a reload. */
  onMessage?(message: string): Promise<void>;
}

/**
 * "Watch a channel, re-read periodically": reloads once, then on each message and every
 * `everyMs`. Resolves once loaded and subscribed; the returned function stops it. Errors of
 * a later reload are dropped: the next tick tries again.
 */
export async function watchChannel(subscriber: Subscriber, watch: ChannelWatch): Promise<() => Promise<void>> {
  await watch.reload();
  const quietly = (work: () => Promise<void>) => void work().catch(() => {});
  const stopListening = await subscriber.listen(watch.channel, (message) => quietly(() => (watch.onMessage ? watch.onMessage(message) : watch.reload())));
  const timer = setInterval(() => quietly(() => watch.reload()), watch.everyMs);
  return async () => {
    clearInterval(timer);
    await stopListening();
  };
}
