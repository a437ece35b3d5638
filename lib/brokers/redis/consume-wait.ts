import type { Redis } from 'ioredis';
import { newRedis } from '@/lib/redis/connection';

/**
 * How idle slots wait for work without a crash window and without busy polling.
 *
 * Taking must stay one atomic Lua step (pop + record in `unacked`), and Lua cannot block.
 * A plain BRPOP would pop outside that step; so the blocking wait is one that never
 * changes anything: `BLMOVE key key RIGHT RIGHT` blocks until the list is non-empty and
 * then moves its tail to its own tail (a no-op). On return, the slots retry the Lua take.
 *
 * BLMOVE watches one key, so each watched list gets its own dedicated connection (a
 * blocking command owns its connection); the watchers are shared by all slots of the
 * process. Paused queues' lists are not watched (they would wake us forever). A wait
 * also ends after WAIT_SEC or on `wake()` (pause changes, stop).
 */
// Re-check at least this often, e.g. to notice a resumed queue if its nudge was lost.
const WAIT_SEC = 1;

export class IdleWaiter {
  private readonly connections = new Map<string, Redis>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private wakers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly name: string,
  ) {}

  /** Resolves when one of `keys` holds a message, after WAIT_SEC, or on wake(). */
  wait(keys: readonly string[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let left = keys.length;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.wakers.delete(finish);
        clearTimeout(timer);
        resolve();
      };
      this.wakers.add(finish);
      const timer = setTimeout(finish, WAIT_SEC * 1000 + 100);
      if (keys.length === 0) return;
      for (const key of keys) {
        void this.watch(key).then((hit) => {
          left -= 1;
          if (hit || left === 0) finish();
        });
      }
    });
  }

  wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  close(): void {
    this.closed = true;
    this.wake();
    for (const connection of this.connections.values()) connection.disconnect();
    this.connections.clear();
  }

  private watch(key: string): Promise<boolean> {
    let watching = this.pending.get(key);
    if (!watching) {
      watching = this.connection(key)
        .blmove(key, key, 'RIGHT', 'RIGHT', WAIT_SEC)
        .then((value) => value !== null)
        // A dropped connection reconnects by itself; the caller's own timer covers the gap.
        .catch(() => false)
        .finally(() => this.pending.delete(key));
      this.pending.set(key, watching);
    }
    return watching;
  }

  private connection(key: string): Redis {
    let client = this.connections.get(key);
    if (!client) {
      client = workerClient(this.url, `${this.name}:wait`);
      this.connections.set(key, client);
    }
    return client;
  }
}

/**
 * A client for worker loops: unlike the dashboard's fail-fast client, commands wait for a
 * reconnect (a worker has nothing better to do), and errors are handled by the loops.
 */
export function workerClient(url: string, name: string): Redis {
  const client = newRedis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 3000),
  });
  client.on('error', () => {});
  return client;
}
