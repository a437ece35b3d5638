import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, getQueue, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRabbitQueue, declareRedisQueues, deleteRabbitQueue, expectByPriority, pushUndecodable, queueUrl, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator finds messages in the browser (task id, priority and task filters,
 * all kept in the URL), picks some with shift-click and the keyboard, moves them to another
 * queue and deletes one. A viewer sees the same messages but no actions; a broken message is
 * shown raw and flagged; a RabbitMQ read says that it requeued the messages. Every task shows
 * its own priority, with the level it is stored under where kombu's default steps share one
 * list ("P1 · stored with P0–2"), in the table, in the filter and on its task page.
 */

const queue = uniqueQueue('browse');
const target = uniqueQueue('browse-to');
const rabbitQueue = uniqueQueue('browse-rmq');
const users: TestUser[] = [];

test.afterAll(async ({ request }) => {
  await removeRedisQueues(queue, target);
  await deleteRabbitQueue(rabbitQueue).catch(() => undefined);
  for (const user of users) await deleteUser(request, user);
});

test('find, select, move and delete messages from the browser', async ({ page, browser, request }) => {
  const guard = guardConsole(page);
  await declareRedisQueues(queue, target);
  // Priorities 1 and 7 share kombu's lists of 0–2 and 6–8.
  const alpha = await enqueue(request, 'redis', queue, { task: 'myapp.tasks.send_email', args: ['alpha@example.com'], priority: 1, count: 3 });
  await enqueue(request, 'redis', queue, { task: 'myapp.tasks.send_otp', args: ['+15551234567'], priority: 7, count: 4 });
  const beta = await enqueue(request, 'redis', queue, { task: 'myapp.tasks.send_email', args: ['beta@example.com'], priority: 9, count: 2 });
  await pushUndecodable(queue, 'definitely not a celery message');
  await expectByPriority(request, 'redis', queue, { '0': 4, '6': 4, '9': 2 });

  await test.step('a viewer reads, but has no actions and no checkboxes', async () => {
    const viewer = await createUser(request, 'viewer');
    users.push(viewer);
    const context = await browser.newContext();
    const other = await context.newPage();
    const otherGuard = guardConsole(other);
    await logIn(other, viewer, queueUrl('redis', queue));
    await other.goto(queueUrl('redis', queue));
    await expect(other.getByTestId('message-row')).toHaveCount(10);
    await expect(other.getByTestId('queue-toolbar')).toHaveCount(0);
    await expect(other.getByRole('checkbox')).toHaveCount(0);
    otherGuard.assertClean();
    await context.close();
  });

  const operator = await createUser(request, 'operator');
  users.push(operator);
  await logIn(page, operator, queueUrl('redis', queue));
  await page.goto(queueUrl('redis', queue));
  await expect(page.getByTestId('message-row')).toHaveCount(10);

  await test.step('an undecodable message is flagged and shown raw', async () => {
    const broken = page.locator('[data-testid="message-row"][data-undecodable="true"]');
    await expect(broken).toHaveCount(1);
    await expect(broken).toContainText('undecodable');
    await expect(broken.getByTestId('message-args')).toHaveText('definitely not a celery message');
  });

  await test.step("each task shows its own priority and the level it is stored under", async () => {
    const chips = page.getByTestId('message-priority');
    // Delivery order: list 0–2 (the three P1 tasks, then the undecodable one), 6–8, 9. A P0
    // shares its list as much as a P1 does, so it says so too (as the task page does).
    await expect(chips).toHaveText([
      ...Array(3).fill('P1 · stored with P0–2'),
      'P0 · stored with P0–2',
      ...Array(4).fill('P7 · stored with P6–8'),
      ...Array(2).fill('P9'),
    ]);
    // The wire value is in the tooltip, not on screen.
    await expect(chips.first()).toHaveAttribute('title', /wire value \(properties\.priority\): 1$/);
    await expect(chips.nth(3)).toHaveAttribute('title', /wire value \(properties\.priority\): none$/);
    await expect(chips.nth(8)).toHaveAttribute('title', /wire value \(properties\.priority\): 9$/);
  });

  await test.step('search by task id (in the URL) links to the task page', async () => {
    await page.getByLabel('Task id').fill(beta[1]!);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`id=${beta[1]}`));
    await expect(page.getByTestId('message-row')).toHaveCount(1);
    await expect(page.getByTestId('message-row').getByRole('link', { name: beta[1]! })).toHaveAttribute('href', `/tasks/${beta[1]}`);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect(page.getByTestId('message-row')).toHaveCount(10);
  });

  await test.step('priority filter from a shared link', async () => {
    await page.goto(`${queueUrl('redis', queue)}?priority=7`);
    await expect(page.getByTestId('message-row')).toHaveCount(4);
    await expect(page.getByTestId('message-row').locator('td:nth-child(4)')).toHaveText(Array(4).fill('myapp.tasks.send_otp'));
  });

  await test.step("the priority filter is on the task's own priority, not its list", async () => {
    await page.getByLabel('Priority', { exact: true }).selectOption('1');
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(page).toHaveURL(/priority=1(&|$)/);
    // The undecodable message shares the list of 0–2 but is no P1 task.
    await expect(page.getByTestId('message-row').locator('td:nth-child(3)')).toHaveText(alpha);
    await expect(page.getByTestId('message-priority')).toHaveText(Array(3).fill(/^P1 · stored with P0–2/));
  });

  await test.step('shift-click selects a range; move keeps priorities', async () => {
    await page.goto(`${queueUrl('redis', queue)}?task=myapp.tasks.send_email`);
    const rows = page.getByTestId('message-row');
    await expect(rows).toHaveCount(5);
    // Delivery order: the three priority-0 messages first, in the order they were sent.
    await expect(rows.locator('td:nth-child(3)')).toHaveText([...alpha, ...beta]);
    await rows.nth(0).getByRole('checkbox').click();
    await rows.nth(2).getByRole('checkbox').click({ modifiers: ['Shift'] });
    await expect(page.getByTestId('selection-count')).toHaveText('3 selected');
    await page.getByRole('button', { name: 'Move…' }).click();
    const dialog = page.getByTestId('move-dialog');
    await dialog.getByLabel('Target queue: queue').fill(target);
    await expect(dialog.getByTestId('action-preview')).toHaveText(`3 messages will move to redis/${target}.`);
    await dialog.getByTestId('action-confirm').click();
    await expect(dialog.getByTestId('action-result')).toHaveText(`Matched 3, moved 3 to redis/${target}.`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expectByPriority(request, 'redis', target, { '0': 3, '6': 0, '9': 0 });
    await expect(rows).toHaveCount(2);
  });

  await test.step('keyboard: select with Space, delete one', async () => {
    const rows = page.getByTestId('message-row');
    await rows.nth(0).getByRole('checkbox').focus();
    await page.keyboard.press('Space');
    await expect(page.getByTestId('selection-count')).toHaveText('1 selected');
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByTestId('delete-dialog');
    await expect(dialog.getByTestId('action-preview')).toHaveText('1 message will be deleted.');
    await dialog.getByTestId('action-confirm').click();
    await expect(dialog.getByTestId('action-result')).toHaveText('Matched 1, deleted 1.');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(rows).toHaveCount(1);
    await expect(rows.locator('td:nth-child(3)')).toHaveText([beta[1]!]);
  });

  await expectByPriority(request, 'redis', queue, { '0': 1, '6': 4, '9': 1 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-browse.png', fullPage: true });

  await test.step('the moved P1 task keeps its priority: its table row and, once run, its task page', async () => {
    await page.goto(queueUrl('redis', target));
    await expect(page.getByTestId('message-priority')).toHaveText(Array(3).fill(/^P1 · stored with P0–2/));
    await page.mouse.move(0, 0);
    await page.screenshot({ path: 'e2e/screenshots/queue-browse-stored-with.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // The page reflows after the resize; a wide table scrolls inside its own box, never the page.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: 'e2e/screenshots/queue-browse-stored-with-phone.png', fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    let worker: SpawnedWorker | null = null;
    try {
      worker = await spawnWorker(request, { broker: 'redis', queues: [target] });
      await page.goto(`/tasks/${alpha[0]}`);
      await expect(page.getByTestId('task-state')).toHaveText('succeeded', { timeout: 60_000 });
      await expect(page.getByTestId('task-priority')).toHaveText('1 · high · stored with P0–2');
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/task-priority-stored-with-dark.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
    } finally {
      if (worker) await worker.stop();
    }
  });
  guard.assertClean();
});

test('a RabbitMQ read says it requeued the messages', async ({ page, request }) => {
  const guard = guardConsole(page);
  await declareRabbitQueue(rabbitQueue);
  await enqueue(request, 'rabbitmq', rabbitQueue, { task: 'myapp.tasks.send_email', args: ['r@example.com'], priority: 2, count: 2 });
  await expect.poll(async () => (await getQueue(request, 'rabbitmq', rabbitQueue)).depth, { timeout: 30_000 }).toBe(2);
  const viewer = await createUser(request, 'viewer');
  users.push(viewer);
  await logIn(page, viewer, queueUrl('rabbitmq', rabbitQueue));
  await page.goto(queueUrl('rabbitmq', rabbitQueue));
  await expect(page.getByTestId('message-row')).toHaveCount(2);
  await expect(page.getByTestId('requeued-notice')).toContainText('marked redelivered');
  // RabbitMQ priority 9 − 2 = 7 on the wire: in the tooltip, off the visible text.
  const chip = page.getByTestId('message-row').first().getByTestId('message-priority');
  await expect(chip).toHaveText('P2');
  await expect(chip).toHaveAttribute('title', /wire value \(properties\.priority\): 7$/);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: 'e2e/screenshots/queue-browse-rabbitmq.png', fullPage: true });
  guard.assertClean();
});
