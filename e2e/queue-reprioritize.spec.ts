import { expect, test } from '@playwright/test';
import { buttonLooks, createUser, deleteUser, enqueue, expectLooksDisabled, guardConsole, logIn, readCount, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, expectByPriority, removeRedisQueues, headerCount, queueUrl } from './queue-helpers';

/**
 * Journey: during a flood, an operator boosts every waiting send_email of one queue to
 * priority 0 from the queue page (filter by task name, select all matching, reprioritize)
 * and watches the per-priority bars move. Redis, kombu's default steps [0, 3, 6, 9].
 */

const BROKER = 'redis';
const queue = uniqueQueue('reprio');
let user: TestUser | null = null;

test.afterAll(async ({ request }) => {
  await removeRedisQueues(queue);
  if (user) await deleteUser(request, user);
});

test('reprioritize all tasks of one name from the queue page', async ({ page, request }) => {
  // No console error or failed request anywhere in the journey (login page included).
  const guard = guardConsole(page);
  await declareRedisQueues(queue);
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_email', args: ['late@example.com'], priority: 9, count: 6 });
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], priority: 9, count: 4 });
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_email', args: ['mid@example.com'], priority: 4, count: 3 });
  await expectByPriority(request, BROKER, queue, { '0': 0, '3': 3, '9': 10 });

  user = await createUser(request, 'operator');
  await logIn(page, user, queueUrl(BROKER, queue));
  await page.goto(queueUrl(BROKER, queue));
  await expect(page.getByRole('heading', { name: queue })).toBeVisible();
  await expect.poll(() => readCount(headerCount(page, BROKER, queue, 9))).toBe(10);
  await expect.poll(() => readCount(headerCount(page, BROKER, queue, 3))).toBe(3);
  await expect(page.getByTestId('message-row')).toHaveCount(13);

  await test.step('with nothing selected, the selection actions look disabled', async () => {
    const reprioritize = page.getByRole('button', { name: 'Reprioritize…' });
    await expect(reprioritize).toBeDisabled();
    await expectLooksDisabled(reprioritize);
  });

  await test.step('filter by task name (kept in the URL) and select all matching', async () => {
    await page.getByLabel('Task name').fill('myapp.tasks.send_email');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(page).toHaveURL(/task=myapp\.tasks\.send_email/);
    await expect(page.getByTestId('message-row')).toHaveCount(9);
    await page.getByRole('button', { name: 'Select all matching this filter' }).click();
    await expect(page.getByTestId('selection-count')).toHaveText('All 9 matching messages selected');
  });

  await test.step('preview, run, exact result', async () => {
    await page.getByRole('button', { name: 'Reprioritize…' }).click();
    const dialog = page.getByTestId('reprioritize-dialog');
    // No priority is chosen for the operator: a slip must not send the selection to the front.
    await expect(dialog.getByLabel('New priority')).toHaveValue('');
    await expect(dialog.getByTestId('action-preview')).toHaveText('9 messages selected. Choose their new priority.');
    const confirm = dialog.getByTestId('action-confirm');
    await expect(confirm).toBeDisabled();
    await expectLooksDisabled(confirm);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.screenshot({ path: 'e2e/screenshots/queue-reprioritize-unchosen.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectLooksDisabled(confirm);
    await page.screenshot({ path: 'e2e/screenshots/queue-reprioritize-unchosen-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'e2e/screenshots/queue-reprioritize-unchosen-phone.png' });
    await page.setViewportSize({ width: 1280, height: 720 });
    await dialog.getByLabel('New priority').selectOption('0');
    await expect(confirm).toBeEnabled();
    expect(await buttonLooks(confirm)).toEqual({ cursor: 'pointer', saturated: true });
    await expect(dialog.getByTestId('action-preview')).toHaveText('9 messages will get priority 0.');
    await dialog.getByTestId('action-confirm').click();
    await expect(dialog.getByTestId('action-result')).toHaveText('Matched 9, moved 9 to priority 0.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });

  await test.step('the per-priority bars change', async () => {
    await expectByPriority(request, BROKER, queue, { '0': 9, '3': 0, '9': 4 });
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 0)), { timeout: 30_000 }).toBe(9);
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 9))).toBe(4);
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 3))).toBe(0);
    // The browser shows them at their new priority, in delivery order (priority 0 first).
    const chips = page.getByTestId('message-row').locator('td:nth-child(2)');
    await expect(chips).toHaveText(Array(9).fill(/^P0/));
  });

  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-reprioritize.png', fullPage: true });
  // Read-only checks on a phone: the page stays readable (the table scrolls sideways).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'e2e/screenshots/queue-reprioritize-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-reprioritize-dark.png', fullPage: true });
  guard.assertClean();
});
