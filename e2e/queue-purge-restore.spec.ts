import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, readCount, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, expectByPriority, removeRedisQueues, queueUrl } from './queue-helpers';

/**
 * Journey: an admin purges a queue (typing its name to confirm) and then changes their mind:
 * the purge's archive restores every message. Operators do not see Purge at all.
 */

const BROKER = 'redis';
const queue = uniqueQueue('purge');
const users: TestUser[] = [];

test.afterAll(async ({ request }) => {
  await removeRedisQueues(queue);
  for (const user of users) await deleteUser(request, user);
});

test('purge a queue and restore the purged messages', async ({ page, browser, request }) => {
  // No console error or failed request anywhere in the journey (login page included).
  const guard = guardConsole(page);
  await declareRedisQueues(queue);
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.generate_report', args: ['weekly-sales'], priority: 3, count: 4 });
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_email', args: ['p@example.com'], priority: 9, count: 3 });
  const before = { '0': 0, '3': 4, '6': 0, '9': 3 };
  await expectByPriority(request, BROKER, queue, before);

  await test.step('an operator has no Purge button', async () => {
    const operator = await createUser(request, 'operator');
    users.push(operator);
    const context = await browser.newContext();
    const other = await context.newPage();
    await logIn(other, operator, queueUrl(BROKER, queue));
    await other.goto(queueUrl(BROKER, queue));
    await expect(other.getByRole('button', { name: 'Drain…' })).toBeVisible();
    await expect(other.getByRole('button', { name: 'Purge…' })).toHaveCount(0);
    await context.close();
  });

  const admin = await createUser(request, 'admin');
  users.push(admin);
  await logIn(page, admin, queueUrl(BROKER, queue));
  await page.goto(queueUrl(BROKER, queue));
  await expect.poll(() => readCount(page.getByTestId('queue-depth'))).toBe(7);

  await test.step('typed confirmation, then purge', async () => {
    await page.getByRole('button', { name: 'Purge…' }).click();
    const dialog = page.getByTestId('purge-dialog');
    const confirm = dialog.getByTestId('action-confirm');
    await expect(confirm).toBeDisabled();
    // The exact count (on RabbitMQ the AMQP depth, not the seconds-old statistics).
    await expect(dialog.getByTestId('action-preview')).toHaveText('7 waiting messages will be purged (the result counts exactly what was purged).');
    await dialog.getByLabel(/to confirm/).fill(`${queue}x`);
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/to confirm/).fill(queue);
    await expect(confirm).toBeEnabled();
    await confirm.click();
    await expect(dialog.getByTestId('action-result')).toContainText('Purged 7.');
    await expect(dialog.getByTestId('archive-id')).not.toBeEmpty();
    await expectByPriority(request, BROKER, queue, { '0': 0, '3': 0, '6': 0, '9': 0 });
    await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 30_000 }).toBe(0);
  });

  await test.step('restore from the archive', async () => {
    const dialog = page.getByTestId('purge-dialog');
    await dialog.getByRole('button', { name: 'Restore purged messages' }).click();
    await expect(dialog.getByTestId('archive-restore-result')).toHaveText(`Restored 7 to ${BROKER}/${queue}.`);
    await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-purge-restore-dialog.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expectByPriority(request, BROKER, queue, before);
    await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 30_000 }).toBe(7);
    await expect(page.getByTestId('message-row')).toHaveCount(7);
  });

  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-purge-restore.png', fullPage: true });
  guard.assertClean();
});
