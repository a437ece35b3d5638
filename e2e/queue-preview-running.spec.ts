import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRabbitQueue, deleteRabbitQueue, queueUrl } from './queue-helpers';

/**
 * Journey: during a flood on RabbitMQ, an operator filters by part of a task name
 * ("generate_report", any case) and reprioritizes every match. Counting them means reading
 * the queue, so the dialog shows the running count ("at least N so far") and lets the
 * operator go ahead before it ends; the operation still takes every match.
 */

const BROKER = 'rabbitmq';
const TOTAL = 30_000;

test('reprioritize by part of a task name on a big RabbitMQ queue without waiting for the count', async ({ page, request }) => {
  test.setTimeout(240_000);
  const guard = guardConsole(page);
  const queue = uniqueQueue('preview');
  let user: TestUser | null = null;
  await declareRabbitQueue(queue);
  try {
    for (let i = 0; i < TOTAL / 10_000; i++) {
      await enqueue(request, BROKER, queue, { task: 'myapp.tasks.generate_report', args: ['flood'], priority: 9, count: 10_000 });
    }
    user = await createUser(request, 'operator');
    await logIn(page, user, queueUrl(BROKER, queue));
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(queueUrl(BROKER, queue));
    await expect(page.getByRole('heading', { name: queue })).toBeVisible();

    await test.step('a part of the name, in another case, selects them all', async () => {
      await page.getByLabel('Task name').fill('Generate_Report');
      await page.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(page.getByTestId('message-row').first()).toContainText('myapp.tasks.generate_report');
      await page.getByRole('button', { name: 'Select all matching this filter' }).click();
      await expect(page.getByTestId('selection-count')).toHaveText(`All ${TOTAL.toLocaleString('en-US')} matching messages selected`, { timeout: 60_000 });
    });

    await test.step('the preview counts while it reads; go ahead before it ends', async () => {
      await page.getByRole('button', { name: 'Reprioritize…' }).click();
      const dialog = page.getByTestId('reprioritize-dialog');
      await dialog.getByLabel('New priority').selectOption('0');
      const running = dialog.getByTestId('action-preview-running');
      await expect(running).toContainText(/Counting… at least [\d,]+ so far/);
      await expect(running).toContainText('You can go ahead before the count ends.');
      await page.screenshot({ path: 'e2e/screenshots/queue-preview-running.png' });
      await expect(dialog.getByTestId('action-confirm')).toBeEnabled();
      await dialog.getByTestId('action-confirm').click();
      await expect(dialog.getByTestId('action-result')).toHaveText(`Matched ${TOTAL.toLocaleString('en-US')}, moved ${TOTAL.toLocaleString('en-US')} to priority 0.`, {
        timeout: 180_000,
      });
      await dialog.getByRole('button', { name: 'Close' }).click();
    });
    guard.assertClean();
  } finally {
    if (user) await deleteUser(request, user);
    await deleteRabbitQueue(queue);
  }
});
