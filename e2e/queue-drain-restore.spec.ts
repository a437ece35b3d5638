import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, readCount, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, expectByPriority, removeRedisQueues, headerCount, queueUrl } from './queue-helpers';

/**
 * Journey: an operator drains a queue to its parking queue (`<queue>.drained`) so workers
 * stop seeing the flood, then restores it: every message comes back at its priority.
 */

const BROKER = 'redis';
const queue = uniqueQueue('drain');
const parking = `${queue}.drained`;
let user: TestUser | null = null;

test.afterAll(async ({ request }) => {
  await removeRedisQueues(queue);
  if (user) await deleteUser(request, user);
});

test('drain a queue and restore it', async ({ page, request }) => {
  // No console error or failed request anywhere in the journey (login page included).
  const guard = guardConsole(page);
  await declareRedisQueues(queue);
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], priority: 0, count: 2 });
  await enqueue(request, BROKER, queue, { task: 'myapp.tasks.send_email', args: ['a@example.com'], priority: 6, count: 5 });
  const before = { '0': 2, '3': 0, '6': 5, '9': 0 };
  await expectByPriority(request, BROKER, queue, before);

  user = await createUser(request, 'operator');
  await logIn(page, user, queueUrl(BROKER, queue));
  await page.goto(queueUrl(BROKER, queue));
  await expect.poll(() => readCount(page.getByTestId('queue-depth'))).toBe(7);

  await test.step('drain to the default parking queue', async () => {
    await page.getByRole('button', { name: 'Drain…' }).click();
    const dialog = page.getByTestId('drain-dialog');
    await expect(dialog.getByLabel('Parking queue: queue')).toHaveValue(parking);
    await expect(dialog.getByTestId('action-preview')).toContainText('7 waiting messages will move');
    await dialog.getByTestId('action-confirm').click();
    await expect(dialog.getByTestId('action-result')).toHaveText(`Moved 7 to ${BROKER}/${parking}.`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expectByPriority(request, BROKER, queue, { '0': 0, '3': 0, '6': 0, '9': 0 });
    await expectByPriority(request, BROKER, parking, before);
    await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 30_000 }).toBe(0);
    await expect(page.getByText('No messages are waiting in this queue.')).toBeVisible();
  });

  await test.step('restore from the parking queue', async () => {
    await page.getByRole('button', { name: 'Restore…' }).click();
    const dialog = page.getByTestId('restore-dialog');
    await expect(dialog.getByTestId('action-preview')).toHaveText(`7 messages will move back from ${BROKER}/${parking}.`);
    await dialog.getByTestId('action-confirm').click();
    await expect(dialog.getByTestId('action-result')).toHaveText(`Restored 7 from ${BROKER}/${parking}.`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expectByPriority(request, BROKER, queue, before);
    await expect.poll(() => readCount(page.getByTestId('queue-depth')), { timeout: 30_000 }).toBe(7);
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 6))).toBe(5);
    await expect.poll(() => readCount(headerCount(page, BROKER, queue, 0))).toBe(2);
    await expect(page.getByTestId('message-row')).toHaveCount(7);
  });

  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-drain-restore.png', fullPage: true });
  guard.assertClean();
});
