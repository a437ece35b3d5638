import { expect, test, type APIRequestContext } from '@playwright/test';
import { countAt, createUser, deleteUser, enqueue, getHealth, getQueue, guardConsole, levelFor, logIn, readCount, type TestUser } from './helpers';

/**
 * Journey: an operator opens the overview and sees both brokers, every demo queue and its
 * backlog per priority, and watches the numbers move without reloading.
 *
 * The demo queues are shared (no test may purge them yet), so every assertion is relative
 * to a baseline read just before; no worker runs during the e2e suite, so counts only grow.
 */

const TASK = 'myapp.tasks.send_email';
// A handful of messages at a spread of priorities; they stay in the queues afterwards.
const PRIORITIES_TO_SEND: { priority: number; count: number }[] = [
  { priority: 0, count: 2 },
  { priority: 4, count: 1 },
  { priority: 9, count: 1 },
];
const TARGETS = [
  { broker: 'redis', queue: 'celery' },
  { broker: 'redis', queue: 'notifications' },
  { broker: 'rabbitmq', queue: 'celery' },
] as const;

async function enqueueSpread(request: APIRequestContext, broker: string, queue: string): Promise<void> {
  const before = await getQueue(request, broker, queue);
  const expected = { ...before.byPriority };
  for (const { priority, count } of PRIORITIES_TO_SEND) {
    await enqueue(request, broker, queue, { task: TASK, args: [`e2e-${priority}@example.com`], priority, count });
    const level = String(levelFor(before, priority));
    expected[level] = (expected[level] ?? 0) + count;
  }
  const added = PRIORITIES_TO_SEND.reduce((sum, s) => sum + s.count, 0);
  // RabbitMQ's management API refreshes its statistics every few seconds: poll, don't sleep.
  await expect
    .poll(async () => (await getQueue(request, broker, queue)).byPriority, {
      message: `${broker}/${queue} depth per priority`,
      timeout: 30_000,
    })
    .toEqual(expected);
  expect((await getQueue(request, broker, queue)).depth).toBe(before.depth + added);
}

test('overview shows brokers and per-priority backlogs, live', async ({ page, request }) => {
  // Many steps against shared brokers that list every engineer's queues (a page of ~100 rows,
  // full-page screenshots of it): more than the default budget on a loaded two-core machine.
  test.setTimeout(300_000);
  const guard = guardConsole(page);
  let viewer: TestUser | null = null;
  await test.step('both brokers are up', async () => {
    const health = await getHealth(request);
    for (const id of ['redis', 'rabbitmq']) {
      expect(health.brokers.find((b) => b.id === id), `broker ${id} in /api/v1/health`).toMatchObject({ ok: true });
    }
  });

  await test.step('enqueue raises the depth of exactly the priorities sent', async () => {
    for (const { broker, queue } of TARGETS) await enqueueSpread(request, broker, queue);
  });

  await test.step('the overview shows brokers, queues and per-priority counts', async () => {
    // Pages need a session (issue 5): a viewer is enough to watch.
    viewer = await createUser(request, 'viewer');
    await logIn(page, viewer);
    const historyReads: string[] = [];
    page.on('request', (req) => {
      if (/\/history(\?|$)/.test(new URL(req.url()).pathname + new URL(req.url()).search)) historyReads.push(new URL(req.url()).pathname);
    });
    await page.goto('/');
    // Sparklines: one batch read for every row, never one request per queue.
    await expect.poll(() => historyReads.length).toBeGreaterThan(0);
    expect(historyReads.every((p) => p === '/api/v1/history'), historyReads.join(', ')).toBe(true);
    await expect(page.getByTestId('queue-sparkline-redis-celery')).toBeVisible();
    await expect(page.getByTestId('live-indicator')).toHaveText(/live/);
    for (const id of ['redis', 'rabbitmq']) {
      await expect(page.getByTestId(`broker-status-${id}`)).toContainText('up');
    }
    for (const row of ['redis-celery', 'redis-notifications', 'redis-lanes', 'rabbitmq-celery']) {
      await expect(page.getByTestId(`queue-row-${row}`)).toBeVisible();
    }
    for (const { broker, queue } of TARGETS) {
      const current = await getQueue(request, broker, queue);
      for (const level of current.levels) {
        await expect(page.getByTestId(`priority-count-${broker}-${queue}-${level}`)).toBeVisible();
      }
      const level = levelFor(current, 0);
      await expect
        .poll(() => readCount(page.getByTestId(`priority-count-${broker}-${queue}-${level}`)))
        .toBe(countAt(current, level));
      await expect.poll(() => readCount(page.getByTestId(`queue-depth-${broker}-${queue}`))).toBe(current.depth);
    }
  });

  await test.step('numbers change live, without a reload', async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    for (const { broker, queue } of [TARGETS[0], TARGETS[2]]) {
      const cell = page.getByTestId(`priority-count-${broker}-${queue}-0`);
      const depth = page.getByTestId(`queue-depth-${broker}-${queue}`);
      const before = await readCount(cell);
      const depthBefore = await readCount(depth);
      await enqueue(request, broker, queue, { task: TASK, args: ['live@example.com'], priority: 0, count: 3 });
      await expect.poll(() => readCount(cell), { timeout: 30_000 }).toBe(before + 3);
      await expect.poll(() => readCount(depth), { timeout: 30_000 }).toBe(depthBefore + 3);
    }
    expect(navigations, 'the page must update in place').toEqual([]);
  });

  await test.step('screenshots, light and dark', async () => {
    await page.screenshot({ path: 'e2e/screenshots/overview.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/overview-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await test.step('rows link to their queue page and the phone layout keeps the numbers readable', async () => {
    const { broker, queue } = TARGETS[0];
    await expect(page.getByTestId(`queue-row-${broker}-${queue}`).getByRole('link', { name: queue, exact: true })).toHaveAttribute(
      'href',
      `/queues/${broker}/${queue}`,
    );
    await page.setViewportSize({ width: 390, height: 844 });
    // The page itself never scrolls sideways on a phone; only the queue table may.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expect(page.getByTestId(`queue-depth-${broker}-${queue}`)).toBeAttached();
    await expect(page.getByRole('link', { name: 'Workers' })).toBeVisible();
    // The first screen a phone shows (the full page of a shared broker's many queues is very long).
    await page.screenshot({ path: 'e2e/screenshots/overview-phone.png' });
  });

  if (viewer) await deleteUser(request, viewer);
  guard.assertClean();
});
