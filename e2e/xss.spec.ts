import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * A task whose arguments carry HTML and JavaScript is shown as text: no dialog opens, no
 * element is created from it, and the exact text is visible.
 */

// A queue of its own: the message must not stay behind in a demo queue, where a worker would
// dead-letter its unknown task.
const QUEUE = uniqueQueue('xss');
const TASK = 'e2e.xss';
const PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<img src=x onerror="window.__xss=1">'];
let user: TestUser;

test.beforeAll(async ({ request }) => {
  await declareRedisQueues(QUEUE);
  user = await createUser(request, 'viewer');
});

test.afterAll(async ({ request }) => {
  await deleteUser(request, user);
  await removeRedisQueues(QUEUE);
});

test('markup in task arguments renders inert', async ({ page, request }) => {
  const guard = guardConsole(page);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await enqueue(request, 'redis', QUEUE, { task: TASK, args: PAYLOADS, kwargs: { note: '<svg onload=alert(2)>' }, priority: 0 });
  await logIn(page, user, `/queues/redis/${QUEUE}?task=${TASK}`);
  const list = page.getByTestId('message-list');
  await expect(list).toBeVisible();
  const row = page.getByTestId('message-args').filter({ hasText: '<script>alert(1)</script>' }).first();
  await expect(row).toBeVisible();
  await expect(row).toContainText('<img src=x onerror=alert(1)>');
  await expect(row).toContainText('<svg onload=alert(2)>');
  // Nothing was parsed as markup: no img, svg, script or b element came from the data, so
  // no onerror/onload handler can run later either.
  await expect(list.locator('img, svg, script, b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await page.screenshot({ path: 'e2e/screenshots/xss-inert.png', fullPage: true });
  guard.assertClean();
});
