import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { execOrThrow } from '@/lib/redis/multi';
import { stateKeys } from './keys';

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

const POLL_MS = 50;
// A reply nobody collects (the sender timed out) must not stay behind.
const REPLY_TTL_SEC = 60;

/** The worker's reply, or undefined when it is not listening or did not answer within `timeoutMs`. */
export async function sendWorkerCommand(
  redis: Redis,
  prefix: string,
  workerId: string,
  command: { method: string; args?: Record<string, unknown> },
  timeoutMs: number,
): Promise<unknown> {
  const keys = stateKeys(prefix);
  const message: MailboxMessage = { ticket: randomUUID(), method: command.method, args: command.args ?? {} };
  const replyKey = keys.workerReply(message.ticket);
  const receivers = await redis.publish(keys.workerMailbox(workerId), JSON.stringify(message));
  if (receivers === 0) return undefined;
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const raw = await redis.rpop(replyKey);
      if (raw !== null) return JSON.parse(raw) as unknown;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return undefined;
  } finally {
    await redis.del(replyKey);
  }
}

export type CommandHandler = (method: string, args: Record<string, unknown>) => Promise<unknown>;

/**
 * Listens on the worker's channel (a subscriber connection of its own, to `redisUrl`) and
 * answers each command with what `handle` returns, or `{error}` when it throws. Resolves
 * once subscribed; the returned function stops listening.
 */
export async function listenForWorkerCommands(
  redis: Redis,
  redisUrl: string,
  prefix: string,
  workerId: string,
  handle: CommandHandler,
): Promise<() => Promise<void>> {
  const keys = stateKeys(prefix);
  const subscriber = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: `triage-worker-mailbox:${workerId}` });
  subscriber.on('error', () => {
    // ioredis reconnects by itself; a command sent meanwhile is reported unanswered.
  });
  subscriber.on('message', (_channel: string, raw: string) => {
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
  await subscriber.connect();
  await subscriber.subscribe(keys.workerMailbox(workerId));
  return async () => {
    await subscriber.quit().catch(() => subscriber.disconnect());
  };
}
