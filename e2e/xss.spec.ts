import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, logIn, type TestUser } from './helpers';

/**
 * A task whose arguments carry HTML and JavaScript is shown as text: no dialog opens, no
 * element is created from it, and the exact text is visible.
 */

// A demo queue (the e2e suite cannot create queues); a task name of its own finds the message.
const QUEUE = 'notifications';
const TASK = `e2e.xss_${Date.now()}`;
const PAYLOADS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<img src=x onerror="window.__xss=1">'];
let user: TestUser;

test.beforeAll(async ({ request }) => {
  user = await createUser(request, 'viewer');
});

test.afterAll(async ({ request }) => {
  await deleteUser(request, user);
});

test('markup in task arguments renders inert', async ({ page, request }) => {
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
  // Nothing was parsed as markup: no img, svg, script or b element came from the data.
  await expect(list.locator('img, svg, script, b')).toHaveCount(0);
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await page.screenshot({ path: 'e2e/screenshots/xss-inert.png', fullPage: true });
});
