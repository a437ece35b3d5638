import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, listWorkers, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator opens the Workers page, sees a worker start with a live heartbeat,
 * processing tasks; the worker freezes (SIGSTOP: no heartbeats) and is flagged stale; it
 * thaws and stops gracefully, and it is gone from the page.
 */

const queue = uniqueQueue('workers');
let user: TestUser | null = null;
let worker: SpawnedWorker | null = null;

test.afterAll(async ({ request }) => {
  if (worker) {
    worker.process.kill('SIGCONT');
    await worker.stop();
  }
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('a worker appears with a live heartbeat, is flagged stale when silent and is gone after it stops', async ({ page, request }) => {
  const guard = guardConsole(page);
  user = await createUser(request, 'viewer');
  await logIn(page, user, '/workers');
  await page.goto('/workers');
  await expect(page.getByRole('heading', { name: 'Workers' })).toBeVisible();

  await declareRedisQueues(queue);
  worker = await spawnWorker(request, { broker: 'redis', queues: [queue] });
  const row = page.getByTestId(`worker-row-${worker.id}`);

  await test.step('listed with its queue and a heartbeat that keeps coming', async () => {
    await expect(row).toBeVisible();
    await expect(row).toContainText(queue);
    await expect(row).toHaveAttribute('data-stale', 'false');
    // Its own name (--name), not the host name every worker on the machine shares.
    await expect(row.getByTestId('worker-name')).toHaveText(worker!.name);
    // Heartbeats every 2 s: the "ago" label never grows past a few seconds while it lives.
    const heartbeat = row.getByTestId('worker-heartbeat');
    await expect(heartbeat).toHaveText(/just now|^[0-5]s ago/);
  });

  await test.step('it processes tasks and the count follows', async () => {
    await enqueue(request, 'redis', queue, { task: 'triage.tasks.noop', count: 3 });
    await expect(row.getByTestId('worker-processed')).toHaveText('3', { timeout: 30_000 });
    await page.screenshot({ path: 'e2e/screenshots/workers.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/workers-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('its queue links to the queue page', async () => {
    const link = row.getByRole('link', { name: queue, exact: true });
    await expect(link).toHaveAttribute('href', `/queues/redis/${queue}`);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/queues/redis/${queue}$`));
    await expect(page.getByRole('heading', { name: queue })).toBeVisible();
    await page.goBack();
    await expect(row).toBeVisible();
  });

  await test.step('a frozen worker is flagged stale', async () => {
    worker!.process.kill('SIGSTOP');
    await expect(row).toHaveAttribute('data-stale', 'true', { timeout: 30_000 });
    await expect(row.getByTestId('worker-stale')).toBeVisible();
    await expect(page.getByTestId('worker-summary')).toContainText('stale');
    await page.screenshot({ path: 'e2e/screenshots/workers-stale.png', fullPage: true });
  });

  await test.step('thawed and stopped gracefully, it is gone', async () => {
    worker!.process.kill('SIGCONT');
    await expect(row).toHaveAttribute('data-stale', 'false', { timeout: 30_000 });
    await worker!.stop();
    await expect(row).toHaveCount(0, { timeout: 30_000 });
    expect((await listWorkers(request)).some((w) => w.id === worker!.id)).toBe(false);
  });
  guard.assertClean();
});

test('a lane-group worker lists its lanes in the order it takes them, each linking to its queue', async ({ page, request }) => {
  const guard = guardConsole(page);
  const auth = { authorization: `Bearer ${process.env.TRIAGE_ADMIN_TOKEN ?? ''}` };
  const viewer = await createUser(request, 'viewer');
  // The demo's lane group, paused so the worker takes nothing from it (other journeys count on its messages).
  expect((await request.post('/api/v1/queues/redis/lanes/pause', { headers: auth })).ok()).toBe(true);
  let laneWorker: SpawnedWorker | null = null;
  try {
    laneWorker = await spawnWorker(request, { broker: 'redis', queues: ['lanes'] });
    await logIn(page, viewer, '/workers');
    await page.goto('/workers');
    const row = page.getByTestId(`worker-row-${laneWorker.id}`);
    const lanes = row.getByTestId('worker-lanes').getByRole('link');
    await expect(lanes).toHaveText(['high_priority', 'medium_priority', 'low_priority']);
    await expect(lanes.first()).toHaveAttribute('href', '/queues/redis/high_priority');
    await expect(row.getByRole('link', { name: 'lanes', exact: true })).toHaveAttribute('href', '/queues/redis/lanes');
    await page.screenshot({ path: 'e2e/screenshots/workers-lanes.png', fullPage: true });
    guard.assertClean();
  } finally {
    await laneWorker?.stop();
    await request.post('/api/v1/queues/redis/lanes/resume', { headers: auth });
    await deleteUser(request, viewer);
  }
});
