import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Celery remote control over Redis (celery-wire.md §5): the mailbox `celery.pidbox` is a
 * fanout exchange, which kombu's Redis transport turns into PUBLISH on
 * `<global_keyprefix>/<db>.celery.pidbox` (pub/sub is not scoped to a DB, hence the db in
 * the name). Fire-and-forget: no ticket, no reply_to, so workers run it without replying.
 * Returns whether any subscriber (a running Celery worker) received it.
 */
export async function publishPidbox(client: Redis, globalKeyprefix: string, method: string, args: Record<string, unknown>): Promise<boolean> {
  const db = Number(client.options.db ?? 0);
  const body = JSON.stringify({ method, arguments: args, destination: null, pattern: null, matcher: null });
  const envelope = {
    body: Buffer.from(body, 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    // kombu's Mailbox stamps a clock and a 300 s expiry on every command.
    headers: { clock: 1, expires: Date.now() / 1000 + 300 },
    properties: {
      delivery_mode: 2,
      delivery_info: { exchange: 'celery.pidbox', routing_key: '' },
      priority: 0,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  };
  const receivers = await client.publish(`${globalKeyprefix}/${db}.celery.pidbox`, JSON.stringify(envelope));
  return receivers > 0;
}
