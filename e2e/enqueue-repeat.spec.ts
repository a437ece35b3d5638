import { expect, test, type Locator, type Page } from '@playwright/test';
import { createUser, deleteTasksNamed, deleteUser, getQueue, guardConsole, logIn, uniqueQueue, type TestUser } from './helpers';
import { declareRedisQueues, queueUrl, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator enqueues a batch, changes the count and enqueues again, then once more
 * without changing anything, from the header's dialog and from a queue page's. The dialog
 * stays usable after every success (it once crashed the page on the first edit), the empty
 * args field does not pass an example off as a value, and a schema error reads as words.
 */

const TASK = 'myapp.tasks.send_email';
let operator: TestUser | null = null;
const queues: string[] = [];

test.afterAll(async ({ request }) => {
  for (const queue of queues) {
    await deleteTasksNamed(request, 'redis', queue, TASK);
    await removeRedisQueues(queue);
  }
  if (operator) await deleteUser(request, operator);
});

/** Submits and waits for the answer; returns how many ids came back. */
async function submit(page: Page, dialog: Locator, queue: string, label: RegExp): Promise<number> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/${queue}/tasks`));
  await dialog.getByRole('button', { name: label }).click();
  const response = await posted;
  expect(response.status()).toBe(201);
  return ((await response.json()) as { ids: string[] }).ids.length;
}

/** Enqueue 2, change the count to 3, enqueue, enqueue again unchanged: 8 tasks, no crash. */
async function enqueueRepeatedly(page: Page, dialog: Locator, queue: string): Promise<void> {
  await dialog.getByLabel('Args (JSON array)').fill('["ops@example.com"]');
  await dialog.getByLabel('Priority').selectOption('3');
  await dialog.getByLabel('How many').fill('2');
  expect(await submit(page, dialog, queue, /^Enqueue 2 tasks at 3 · medium/)).toBe(2);
  await expect(dialog.getByTestId('enqueue-result-count')).toHaveText('2');

  // The first edit after a success: the crash happened here.
  await dialog.getByLabel('How many').fill('3');
  await expect(page.getByText('This page failed to render')).toHaveCount(0);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('enqueue-result')).toHaveCount(0);
  expect(await submit(page, dialog, queue, /^Enqueue 3 tasks at 3 · medium/)).toBe(3);
  await expect(dialog.getByTestId('enqueue-result-count')).toHaveText('3');

  expect(await submit(page, dialog, queue, /^Enqueue 3 tasks at 3 · medium/)).toBe(3);
  await expect(dialog.getByTestId('enqueue-result-count')).toHaveText('3');
  await expect(dialog).toBeVisible();
  await expect(page.getByText('This page failed to render')).toHaveCount(0);
  await expect.poll(async () => (await getQueue(page.request, 'redis', queue)).depth).toBe(8);
}

test.beforeAll(async ({ request }) => {
  operator = await createUser(request, 'operator');
});

test('enqueue, change the count, enqueue again: from the header', async ({ page }) => {
  const queue = uniqueQueue('enq-again');
  queues.push(queue);
  await declareRedisQueues(queue);
  const guard = guardConsole(page);
  await logIn(page, operator!);
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.getByTestId('enqueue-open').click();
  const dialog = page.getByTestId('enqueue-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Broker').selectOption('redis');
  await dialog.getByLabel('Queue').fill(queue);
  await dialog.getByLabel('Task name').fill(TASK);

  await test.step('the empty args field shows no example that could pass for a value', async () => {
    const args = dialog.getByLabel('Args (JSON array)');
    await expect(args).toHaveValue('');
    const placeholder = (await args.getAttribute('placeholder')) ?? '';
    expect(() => JSON.parse(placeholder), `placeholder ${JSON.stringify(placeholder)} is not JSON`).toThrow();
    const kwargsPlaceholder = (await dialog.getByLabel('Kwargs (JSON object)').getAttribute('placeholder')) ?? '';
    expect(() => JSON.parse(kwargsPlaceholder)).toThrow();
    // The example is offered in words beside the field instead.
    await expect(dialog.getByTestId('args-example')).toContainText('["user@example.com","Welcome"]');
  });

  await test.step('a schema error reads as plain words', async () => {
    await dialog.getByRole('button', { name: /^Enqueue task at/ }).click();
    const error = page.getByTestId('field-error-args');
    await expect(error).toHaveText('needs at least 1 item');
    await page.screenshot({ path: 'e2e/screenshots/enqueue-plain-error.png' });
  });

  await test.step('enqueue, change the count, enqueue again, and again', async () => {
    await enqueueRepeatedly(page, dialog, queue);
    await page.screenshot({ path: 'e2e/screenshots/enqueue-again.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: 'e2e/screenshots/enqueue-again-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'e2e/screenshots/enqueue-again-phone.png' });
  });
  guard.assertClean();
});

test('enqueue, change the count, enqueue again: from a queue page', async ({ page }) => {
  const queue = uniqueQueue('enq-again-q');
  queues.push(queue);
  await declareRedisQueues(queue);
  const guard = guardConsole(page);
  await logIn(page, operator!, queueUrl('redis', queue));
  await page.goto(queueUrl('redis', queue));
  await page.getByTestId('queue-toolbar').getByTestId('enqueue-open').click();
  const dialog = page.getByTestId('enqueue-dialog');
  await expect(dialog.getByTestId('enqueue-target')).toHaveText(`redis/${queue}`);
  await dialog.getByLabel('Task name').fill(TASK);
  await enqueueRepeatedly(page, dialog, queue);
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('message-row')).toHaveCount(8);
  guard.assertClean();
});
