import { expect, test } from '@playwright/test';
import { WINDOWED_ABOVE } from '../components/overview/queue-list';
import { createUser, deleteUser, enqueue, guardConsole, logIn, readCount, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * An overview with more queues than it renders at once: the rows near the viewport are in
 * the page, scrolling brings the others, and the filter finds a queue by name.
 */

const PREFIX = uniqueQueue('many');
const COUNT = WINDOWED_ABOVE + 10;
const names = Array.from({ length: COUNT }, (_, i) => `${PREFIX}-${String(i).padStart(3, '0')}`);
const LAST = names[COUNT - 1]!;
let user: TestUser;

test.beforeAll(async ({ request }) => {
  await declareRedisQueues(...names);
  user = await createUser(request, 'viewer');
  await enqueue(request, 'redis', LAST, { task: 'e2e.many', args: [], priority: 3, count: 3 });
});

test.afterAll(async ({ request }) => {
  await deleteUser(request, user);
  // Every journey queue shares the prefix: one pass removes them all.
  await removeRedisQueues(PREFIX);
});

test('a long queue list renders near the viewport, scrolls, and filters', async ({ page }) => {
  const guard = guardConsole(page);
  await logIn(page, user, '/');
  const count = page.getByTestId('queue-count');
  const countShown = async () => Number(((await count.textContent()) ?? '').replace(/\D/g, ''));
  await expect(count).toHaveText(/^[\d,]+ queues$/);
  // Queues declared a moment ago reach the list with the next discovery, not necessarily the first paint.
  await expect.poll(countShown, { message: 'every journey queue is listed' }).toBeGreaterThanOrEqual(COUNT);
  const listed = await countShown();

  // Only a window of rows is in the page, and the last journey queue is not among them.
  const rows = page.locator('tbody tr[data-index]');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);
  await expect(page.getByTestId(`queue-row-redis-${LAST}`)).toHaveCount(0);
  await expect(page.locator('table')).toHaveAttribute('aria-rowcount', String(listed + 1));

  // Scrolling to the end brings it, with its depth.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(page.getByTestId(`queue-row-redis-${LAST}`)).toBeVisible();
  await expect.poll(() => readCount(page.getByTestId(`queue-depth-redis-${LAST}`))).toBe(3);
  await page.screenshot({ path: 'e2e/screenshots/overview-many-scrolled.png' });

  // The filter finds it from the top of the page, and says how many of how many it shows.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.getByLabel('Filter queues').fill(LAST);
  await expect(count).toHaveText(`1 of ${listed.toLocaleString('en-US')} queues`);
  await expect(rows).toHaveCount(0);
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId(`queue-row-redis-${LAST}`)).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/overview-filter.png', fullPage: true });

  // Every word must match; nothing matching says so.
  await page.getByLabel('Filter queues').fill(`${PREFIX} 10`);
  await expect(count).toHaveText(`11 of ${listed.toLocaleString('en-US')} queues`);
  await page.getByLabel('Filter queues').fill(`${PREFIX}-none`);
  await expect(page.getByText(`No queue matches “${PREFIX}-none”.`)).toBeVisible();
  await expect(page.locator('tbody tr')).toHaveCount(0);
  guard.assertClean();
});
