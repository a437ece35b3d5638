import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { PidboxCommand, RemoteCommand, RemoteReplies } from '../../types';
import { bindingKey, bindingMember, type KeyOptions } from '../keys';
import { execOrThrow } from '../multi';

/**
 * Celery remote control over Redis (celery-wire.md §5): the mailbox `celery.pidbox` is a
 * fanout exchange, which kombu's Redis transport turns into PUBLISH on
 * `<global_keyprefix>/<db>.celery.pidbox` (pub/sub is not scoped to a DB, hence the db in
 * the name).
 */

const MAILBOX = 'celery.pidbox';
const REPLY_EXCHANGE = 'reply.celery.pidbox';
const POLL_MS = 50;

function envelope(body: PidboxCommand, exchange: string, routingKey: string, headers: Record<string, unknown>): string {
  const json = JSON.stringify({ destination: null, pattern: null, matcher: null, ...body });
  return JSON.stringify({
    body: Buffer.from(json, 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers,
    properties: {
      delivery_mode: 2,
      delivery_info: { exchange, routing_key: routingKey },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

/** The pub/sub channel kombu's fanout mailbox becomes on the client's DB. */
export function pidboxChannel(client: Redis, globalKeyprefix: string): string {
  return `${globalKeyprefix}/${Number(client.options.db ?? 0)}.${MAILBOX}`;
}

// kombu's Mailbox stamps a clock and a 300 s expiry on every command.
const commandHeaders = () => ({ clock: 1, expires: Date.now() / 1000 + 300 });

/**
 * Fire-and-forget: no ticket, no reply_to, so workers run it without replying. Returns
 * whether any subscriber (a running Celery worker) received it.
 */
export async function publishPidbox(
  client: Redis,
  globalKeyprefix: string,
  method: string,
  args: Record<string, unknown>,
  destination?: readonly string[],
): Promise<boolean> {
  const body = { method, arguments: args, destination: destination ?? null };
  const receivers = await client.publish(pidboxChannel(client, globalKeyprefix), envelope(body, MAILBOX, '', commandHeaders()));
  return receivers > 0;
}

/**
 * Request/reply, the way `celery inspect` does it: a reply queue `<oid>.reply.celery.pidbox`
 * bound to the `reply.celery.pidbox` direct exchange (a kombu binding member, written with
 * the broker's `sep`, which workers split on), one ticket per command, then the replies
 * workers LPUSH to that list are collected until every worker that received the command
 * (PUBLISH's subscriber count) answered, or `timeoutMs` passed. The list and the binding
 * member are removed afterwards. A command with a `destination` waits for those workers only.
 */
export async function requestPidbox(client: Redis, keys: KeyOptions, commands: readonly RemoteCommand[], timeoutMs: number): Promise<RemoteReplies[]> {
  const oid = randomUUID();
  const replyQueue = `${oid}.${REPLY_EXCHANGE}`;
  const replyKey = keys.prefix + replyQueue;
  const binding = bindingKey(keys, REPLY_EXCHANGE);
  const member = bindingMember(keys, oid, replyQueue);
  const tickets: string[] = commands.map(() => randomUUID());
  const replies: RemoteReplies[] = commands.map(() => new Map());
  await client.sadd(binding, member);
  try {
    const received = await Promise.all(
      commands.map((command, i) =>
        client.publish(
          pidboxChannel(client, keys.prefix),
          envelope(
            {
              method: command.method,
              arguments: command.args ?? {},
              destination: command.destination ?? null,
              ticket: tickets[i],
              reply_to: { exchange: REPLY_EXCHANGE, routing_key: oid },
            },
            MAILBOX,
            '',
            commandHeaders(),
          ),
        ),
      ),
    );
    // Every subscriber receives a command; only its destination (when named) acts and answers.
    const expected = received.map((count, i) => Math.min(count, commands[i]!.destination?.length ?? count));
    const deadline = Date.now() + timeoutMs;
    const complete = () => replies.every((r, i) => r.size >= expected[i]!);
    while (!complete() && Date.now() < deadline) {
      const popped = await client.rpop(replyKey, 100);
      if (!popped || popped.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      for (const raw of popped) {
        const reply = parseReply(raw);
        const index = reply ? tickets.indexOf(reply.ticket) : -1;
        if (reply && index >= 0) for (const [host, value] of Object.entries(reply.body)) replies[index]!.set(host, value);
      }
    }
  } finally {
    await execOrThrow(client.multi().srem(binding, member).del(replyKey));
  }
  return replies;
}

/** A worker's reply: a kombu envelope whose body is `{"<hostname>": <result>}`, ticket in the headers. */
function parseReply(raw: string): { ticket: string; body: Record<string, unknown> } | null {
  try {
    const message = JSON.parse(raw) as { body?: unknown; headers?: { ticket?: unknown }; properties?: { body_encoding?: string } };
    if (typeof message.body !== 'string' || typeof message.headers?.ticket !== 'string') return null;
    const text = message.properties?.body_encoding === 'base64' ? Buffer.from(message.body, 'base64').toString('utf8') : message.body;
    const body = JSON.parse(text) as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    return { ticket: message.headers.ticket, body: body as Record<string, unknown> };
  } catch {
    return null;
  }
}
