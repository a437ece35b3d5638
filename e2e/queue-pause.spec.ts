import { expect, test, type APIRequestContext } from '@playwright/test';
import { createUser, deleteUser, enqueue, getQueue, guardConsole, logIn, readCount, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, queueUrl, removeRedisQueues, } from './queue-helpers';

/**
 * Journey: with one worker consuming two queues and traffic arriving on both, an operator
 * pauses one queue from its page: its backlog grows while the other keeps draining; resuming
 * lets the worker catch up.
 */

const BROKER = 'redis';
const paused = uniqueQueue('pause');
const other = uniqueQueue('pause-other');
let user: TestUser | null = null;
let worker: SpawnedWorker | null = null;

async function history(request: APIRequestContext, queue: string): Promise<{ depth: number }[]> {
  const response = await request.get(`/api/v1/queues/${BROKER}/${queue}/history?range=15m`, {
    headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN ?? ''}` },
  });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { points: { depth: number }[] }).points;
}

/** Traffic on both queues until stopped: a few tasks at a time, each round after the last one finished. */
function produce(request: APIRequestContext): { stop: () => Promise<void>; sent: () => number } {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      for (const queue of [paused, other]) {
        await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], priority: 5, count: 2 });
      }
      sent += 2;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
    sent: () => sent,
  };
}

test.afterAll(async ({ request }) => {
  await worker?.stop();
  // A pause outlives the queue's keys (it is Triage state): lift it before deleting them.
  await request.post(`/api/v1/queues/${BROKER}/${paused}/resume`, { headers: { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN ?? ''}` } });
  await removeRedisQueues(paused, other);
  if (user) await deleteUser(request, user);
});

test('pause a queue: its backlog grows while the other drains', async ({ page, request }) => {
  const guard = guardConsole(page);
  await declareRedisQueues(paused, other);
  await enqueue(request, BROKER, paused, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], count: 1 });
  await enqueue(request, BROKER, other, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], count: 1 });
  worker = await spawnWorker(request, { broker: BROKER, queues: [paused, other], concurrency: 2, env: { TRIAGE_TASK_DURATION_SCALE: '0.05' } });
  await expect.poll(async () => (await getQueue(request, BROKER, paused)).depth, { timeout: 30_000 }).toBe(0);

  user = await createUser(request, 'operator');
  await logIn(page, user, queueUrl(BROKER, paused));
  await page.goto(queueUrl(BROKER, paused));
  await expect(page.getByTestId('paused-badge')).toHaveCount(0);

  await test.step('pause from the queue page', async () => {
    await page.getByTestId('pause-toggle').click();
    await expect(page.getByTestId('paused-badge')).toBeVisible();
    await expect(page.getByTestId('pause-toggle')).toHaveText('Resume');
    expect((await getQueue(request, BROKER, paused)).paused).toBe(true);
  });

  const traffic = produce(request);
  try {
    await test.step('the paused backlog grows on the page while the other queue keeps draining', async () => {
      await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 60_000 }).toBeGreaterThanOrEqual(20);
      // The server's sampler (every 10 s) records the growing backlog for the chart.
      await expect
        .poll(async () => Math.max(0, ...(await history(request, paused)).map((p) => p.depth)), { timeout: 60_000 })
        .toBeGreaterThanOrEqual(20);
    });
  } finally {
    await traffic.stop();
  }
  const held = (await getQueue(request, BROKER, paused)).depth;
  expect(held).toBe(traffic.sent());
  // The worker empties the other queue; nothing leaves the paused one.
  await expect.poll(async () => (await getQueue(request, BROKER, other)).depth, { timeout: 60_000 }).toBe(0);
  expect((await getQueue(request, BROKER, paused)).depth).toBe(held);
  await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 30_000 }).toBe(held);
  await expect(page.getByTestId('message-row')).toHaveCount(Math.min(held, 50));
  // The chart re-reads the history every 10 s: it shows the grown backlog without a reload.
  await expect(page.getByTestId('backlog-chart').locator('.backlog-level-3 .recharts-area-area')).toBeVisible({ timeout: 30_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-pause.png', fullPage: true });
  const otherPage = await page.context().newPage();
  const otherGuard = guardConsole(otherPage);
  await otherPage.goto(queueUrl(BROKER, other));
  await expect.poll(() => readCount(otherPage.getByTestId('queue-depth'))).toBe(0);
  await otherPage.screenshot({ path: 'e2e/screenshots/queue-pause-other.png', fullPage: true });
  otherGuard.assertClean();
  await otherPage.close();

  await test.step('resume: the worker catches up', async () => {
    await page.getByTestId('pause-toggle').click();
    await expect(page.getByTestId('paused-badge')).toHaveCount(0);
    await expect.poll(async () => (await getQueue(request, BROKER, paused)).depth, { timeout: 60_000 }).toBe(0);
    await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 30_000 }).toBe(0);
  });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-pause-resumed.png', fullPage: true });
  guard.assertClean();
});
