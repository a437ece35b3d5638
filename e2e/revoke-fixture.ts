import { test as base, expect } from '@playwright/test';
import { createUser, deleteUser, enqueue, getTask, guardConsole, logIn, spawnWorker, uniqueQueue, type ConsoleGuard, type EnqueueRequest, type SpawnedWorker, type TestUser } from './helpers';
import { declareRabbitQueue, declareRedisQueues, deleteRabbitQueue, removeRedisQueues } from './queue-helpers';

/**
 * The scene of the revoke and terminate journeys: a queue of their own on the broker the
 * test asks for (`test.use({ revokeBroker: 'rabbitmq' })`, Redis by default), Triage
 * workers on it, an operator signed in, and a console guard; all of it stopped, deleted and
 * checked when the test ends, whether it passed or not.
 */
export interface RevokeScene {
  broker: 'redis' | 'rabbitmq';
  queue: string;
  /** Starts a Triage worker on the queue (stopped when the test ends). */
  worker(options?: { concurrency?: number; env?: Record<string, string> }): Promise<SpawnedWorker>;
  enqueue(body: EnqueueRequest): Promise<string[]>;
  /** Waits until the task's record says `state`. */
  expectState(id: string, state: string, timeout?: number): Promise<void>;
  /** Signs an operator of its own in and opens `path`. */
  signIn(path: string): Promise<TestUser>;
  guard: ConsoleGuard;
}

export const test = base.extend<{ revokeBroker: 'redis' | 'rabbitmq'; scene: RevokeScene }>({
  revokeBroker: ['redis', { option: true }],
  scene: async ({ revokeBroker: broker, page, request }, provide) => {
    const queue = uniqueQueue(`rv-${broker}`);
    const workers: SpawnedWorker[] = [];
    const users: TestUser[] = [];
    if (broker === 'redis') await declareRedisQueues(queue);
    else await declareRabbitQueue(queue);
    const guard = guardConsole(page);
    try {
      await provide({
        broker,
        queue,
        guard,
        async worker(options = {}) {
          const spawned = await spawnWorker(request, { broker, queues: [queue], ...options });
          workers.push(spawned);
          return spawned;
        },
        enqueue: (body) => enqueue(request, broker, queue, body),
        async expectState(id, state, timeout = 30_000) {
          await expect.poll(async () => (await getTask(request, id))?.state, { message: `task ${id} is ${state}`, timeout }).toBe(state);
        },
        async signIn(path) {
          const user = await createUser(request, 'operator');
          users.push(user);
          await logIn(page, user, path);
          return user;
        },
      });
      guard.assertClean();
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      for (const user of users) await deleteUser(request, user);
      if (broker === 'redis') await removeRedisQueues(queue);
      else await deleteRabbitQueue(queue);
    }
  },
});

export { expect };
