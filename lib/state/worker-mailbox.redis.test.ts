import { afterAll, describe, expect, it } from 'vitest';
import { Subscriber } from '@/lib/redis/subscriber';
import { REDIS_URL, scratchRedis, uniqueName } from '@/test/support';
import { WorkerMailbox, listenForWorkerCommands } from './worker-mailbox';

const scratch = scratchRedis();
afterAll(() => scratch.done());

/** Connections to the test Redis named `name`, from CLIENT LIST. */
async function named(name: string): Promise<number> {
  const list = (await scratch.client.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

describe('WorkerMailbox', () => {
  it('brings the reply back; a worker that never answers is undefined after the timeout; the shared client is never blocked', async () => {
    const prefix = `${uniqueName('mbox')}:`;
    scratch.names.push(prefix);
    const subscriber = new Subscriber(REDIS_URL, 'mailbox-test:subscriber');
    const stopAnswering = await listenForWorkerCommands(scratch.client, subscriber, prefix, 'answers', async (method, args) => ({ ok: `${method} ${JSON.stringify(args)}` }));
    // Listens, takes the command, never replies: as a worker stuck in a long turn.
    const stopSilent = await listenForWorkerCommands(scratch.client, subscriber, prefix, 'silent', () => new Promise(() => {}));
    const blocking = uniqueName('mailbox-test-replies');
    const mailbox = new WorkerMailbox(scratch.client, prefix, blocking);
    try {
      expect(await named(blocking)).toBe(0);
      const silentStarted = Date.now();
      const silent = mailbox.send('silent', { method: 'ping' }, 1500);
      // While that one waits, the shared client answers at once and another worker's reply arrives.
      const pingStarted = Date.now();
      expect(await scratch.client.ping()).toBe('PONG');
      expect(Date.now() - pingStarted).toBeLessThan(200);
      const answerStarted = Date.now();
      expect(await mailbox.send('answers', { method: 'pool_grow', args: { n: 2 } }, 3000)).toEqual({ ok: 'pool_grow {"n":2}' });
      expect(Date.now() - answerStarted).toBeLessThan(500);
      expect(await silent).toBeUndefined();
      expect(Date.now() - silentStarted).toBeGreaterThanOrEqual(1400);
      // Nobody listening: known at once, no blocking connection needed.
      expect(await mailbox.send('nobody', { method: 'ping' }, 3000)).toBeUndefined();
      // Opened lazily, kept for reuse: two senders waited at once, so two at most.
      const opened = await named(blocking);
      expect(opened).toBeGreaterThanOrEqual(1);
      expect(opened).toBeLessThanOrEqual(2);
      expect(await mailbox.send('answers', { method: 'ping' }, 3000)).toEqual({ ok: 'ping {}' });
      expect(await named(blocking)).toBe(opened);
    } finally {
      mailbox.close();
      await stopAnswering();
      await stopSilent();
      subscriber.close();
    }
    // Closed with the mailbox.
    await expect.poll(() => named(blocking), { timeout: 2000 }).toBe(0);
  });
});
