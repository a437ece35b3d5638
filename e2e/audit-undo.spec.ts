import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, readCount, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, expectByPriority, removeRedisQueues, headerCount, queueUrl } from './queue-helpers';

/**
 * Journey: an operator boosts every waiting send_email of one queue to priority 0 from the
 * queue page, thinks better of it, and undoes it from the audit page: the confirmation
 * says how many go back, and the messages are back at their own priorities. A viewer sees
 * no Undo. Redis, kombu's default steps [0, 3, 6, 9].
 */

const BROKER = 'redis';
const queue = uniqueQueue('undo');
const users: TestUser[] = [];

test.afterAll(async ({ request }) => {
  await removeRedisQueues(queue);
  for (const user of users) await deleteUser(request, user);
});

test('reprioritize from the queue page, undo from the audit page', async ({ page, request, browser }) => {
  const guard = guardConsole(page);
  await declareRedisQueues(queue);
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_email', args: ['late@example.com'], priority: 9, count: 6 });
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_email', args: ['mid@example.com'], priority: 4, count: 3 });
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], priority: 9, count: 2 });
  await expectByPriority(request, BROKER, queue, { '0': 0, '3': 3, '9': 8 });

  const operator = await createUser(request, 'operator');
  users.push(operator);
  await logIn(page, operator, queueUrl(BROKER, queue));
  await page.goto(queueUrl(BROKER, queue));
  await expect(page.getByRole('heading', { name: queue })).toBeVisible();

  await test.step('reprioritize every send_email to 0 from the queue page', async () => {
    await page.getByLabel('Task name').fill('myapp.tasks.send_email');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(page.getByTestId('message-row')).toHaveCount(9);
    await page.getByRole('button', { name: 'Select all matching this filter' }).click();
    await page.getByRole('button', { name: 'Reprioritize…' }).click();
    const dialog = page.getByTestId('reprioritize-dialog');
    await dialog.getByLabel('New priority').selectOption('0');
    await dialog.getByTestId('action-confirm').click();
    await expect(dialog.getByTestId('action-result')).toHaveText('Matched 9, moved 9 to priority 0.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expectByPriority(request, BROKER, queue, { '0': 9, '3': 0, '9': 2 });
  });

  await test.step('undo it from the audit page: the dry run\'s counts, then the result', async () => {
    await page.goto(`/audit?queue=${encodeURIComponent(queue)}`);
    const row = page.locator('[data-testid="audit-row"][data-action="reprioritize"]');
    await expect(row).toHaveCount(1);
    await row.getByTestId('audit-undo').click();
    const dialog = page.getByTestId('undo-dialog');
    await expect(dialog.getByTestId('undo-preview')).toHaveText(`9 messages will go back to ${BROKER}/${queue}, each at the priority it had before this reprioritize.`);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: 'e2e/screenshots/audit-undo.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/audit-undo-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'e2e/screenshots/audit-undo-phone.png' });
    await page.setViewportSize({ width: 1280, height: 720 });
    await dialog.getByTestId('undo-confirm').click();
    await expect(dialog.getByTestId('undo-result')).toHaveText(`Put back 9 messages in ${BROKER}/${queue}.`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(page.locator('[data-testid="audit-row"][data-action="undo"]')).toHaveCount(1);
  });

  await test.step('the messages are back at their own priorities', async () => {
    await expectByPriority(request, BROKER, queue, { '0': 0, '3': 3, '9': 8 });
    await page.goto(queueUrl(BROKER, queue));
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 9)), { timeout: 30_000 }).toBe(8);
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 3))).toBe(3);
  });

  await test.step('a second undo restores nothing and says so', async () => {
    await page.goto(`/audit?queue=${encodeURIComponent(queue)}&action=reprioritize`);
    await page.getByTestId('audit-undo').click();
    guard.allow(/\/api\/v1\/audit\/[^/]+\/undo/, 409);
    await expect(page.getByTestId('undo-refused')).toContainText('already undone');
    await page.getByTestId('undo-dialog').getByRole('button', { name: 'Cancel' }).click();
  });

  await test.step('a viewer sees no Undo', async () => {
    const viewer = await createUser(request, 'viewer');
    users.push(viewer);
    const context = await browser.newContext();
    const other = await context.newPage();
    await logIn(other, viewer, `/audit?queue=${encodeURIComponent(queue)}`);
    await other.goto(`/audit?queue=${encodeURIComponent(queue)}`);
    await expect(other.locator('[data-testid="audit-row"][data-action="reprioritize"]')).toHaveCount(1);
    await expect(other.getByTestId('audit-undo')).toHaveCount(0);
    await context.close();
  });
  guard.assertClean();
});
