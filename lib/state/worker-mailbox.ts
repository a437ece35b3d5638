import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import type { Subscriber } from '@/lib/redis/subscriber';
import { stateKeys, type StateKeys } from './keys';

/**
 * Remote control of Triage's own workers, shaped like Celery's (same method names, arguments
 * and `{ok}`/`{error}` replies) but carried by the state Redis: a command is PUBLISHed on
 * the worker's own channel with a ticket, and the worker LPUSHes its reply to the ticket's
 * list. PUBLISH says whether the worker is listening at all, so a dead worker is known at once.
 */

interface MailboxMessage {
  ticket: string;
  method: string;
  args: Record<string, unknown>;
}

// A reply nobody collects (the sender timed out) must not stay behind.
const REPLY_TTL_SEC = 60;
// Blocking connections kept for reuse; more are opened while more senders wait at once.
const IDLE_KEPT = 2;

/**
 * The sending side. The reply is awaited with BLPOP, which holds its connection for as long
 * as it waits: never the shared state client (every other command would queue behind it), but
 * blocking connections of the mailbox's own, opened on first use and reused; one per sender
 * waiting at the same moment, so a silent worker never delays the reply of another.
 */
export class WorkerMailbox {
  private readonly keys: StateKeys;
  private readonly idle: Redis[] = [];
  private readonly open = new Set<Redis>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** Of the blocking connections, in CLIENT LIST. */
    private readonly connectionName = 'triage:mailbox-replies',
  ) {
    this.keys = stateKeys(prefix);
  }

  /** The worker's reply, or undefined when it is not listening or did not answer within `timeoutMs`. */
  async send(workerId: string, command: { method: string; args?: Record<string, unknown> }, timeoutMs: number): Promise<unknown> {
    const message: MailboxMessage = { ticket: randomUUID(), method: command.method, args: command.args ?? {} };
    const replyKey = this.keys.workerReply(message.ticket);
    const receivers = await this.redis.publish(this.keys.workerMailbox(workerId), JSON.stringify(message));
    if (receivers === 0) return undefined;
    const blocking = await this.acquire();
    let healthy = false;
    try {
      // BLPOP takes seconds; fractions are fine on Redis >= 6.
      const popped = await blocking.blpop(replyKey, Math.max(timeoutMs, 1) / 1000);
      healthy = true;
      return popped === null ? undefined : (JSON.parse(popped[1]) as unknown);
    } finally {
      this.release(blocking, healthy);
      await this.redis.del(replyKey);
    }
  }

  /** Closes the blocking connections (a sender still waiting gets an error). */
  close(): void {
    this.closed = true;
    for (const client of this.open) client.disconnect();
    this.open.clear();
    this.idle.length = 0;
  }

  private async acquire(): Promise<Redis> {
    const reused = this.idle.pop();
    if (reused) return reused;
    if (this.closed) throw new Error('the worker mailbox is closed');
    const client = this.redis.duplicate({ connectionName: this.connectionName });
    client.on('error', () => {
      // A failed BLPOP reports it; the connection is then dropped, not reused.
    });
    this.open.add(client);
    try {
      if (client.status === 'wait') await client.connect();
    } catch (error) {
      this.drop(client);
      throw error;
    }
    return client;
  }

  private release(client: Redis, healthy: boolean): void {
    if (healthy && !this.closed && this.idle.length < IDLE_KEPT && client.status === 'ready') this.idle.push(client);
    else this.drop(client);
  }

  private drop(client: Redis): void {
    this.open.delete(client);
    client.disconnect();
  }
}

export type CommandHandler = (method: string, args: Record<string, unknown>) => Promise<unknown>;

/**
 * Listens on the worker's channel (on the worker's one subscriber connection) and answers
 * each command with what `handle` returns, or `{error}` when it throws. Resolves once
 * subscribed; the returned function stops listening.
 */
export async function listenForWorkerCommands(
  redis: Redis,
  subscriber: Subscriber,
  prefix: string,
  workerId: string,
  handle: CommandHandler,
): Promise<() => Promise<void>> {
  const keys = stateKeys(prefix);
  return subscriber.listen(keys.workerMailbox(workerId), (raw) => {
    let message: MailboxMessage;
    try {
      message = JSON.parse(raw) as MailboxMessage;
    } catch {
      return;
    }
    void (async () => {
      let reply: unknown;
      try {
        reply = await handle(message.method, message.args ?? {});
      } catch (error) {
        reply = { error: error instanceof Error ? error.message : String(error) };
      }
      const replyKey = keys.workerReply(message.ticket);
      await execOrThrow(redis.multi().lpush(replyKey, JSON.stringify(reply)).expire(replyKey, REPLY_TTL_SEC));
    })().catch(() => {});
  });
}
