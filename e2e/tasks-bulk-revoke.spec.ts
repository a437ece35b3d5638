import { getTask } from './helpers';
import { expect, test } from './revoke-fixture';

/**
 * Journey: two long sleeps run on one queue. An operator filters the explorer to that queue,
 * ticks both rows, asks to terminate them, reads the server's count, confirms, and sees both
 * `revoked`; the worker lives on.
 */

test('an operator terminates selected tasks from the explorer', async ({ page, request, scene }) => {
  const worker = await scene.worker({ concurrency: 2 });
  const ids = await scene.enqueue({ task: 'triage.tasks.sleep', args: [120_000], count: 2 });
  for (const id of ids) await scene.expectState(id, 'active');

  await scene.signIn(`/tasks?queue=${scene.queue}`);
  const rows = page.getByTestId('task-row');

  await test.step('both rows ticked: the count says so', async () => {
    await expect(rows).toHaveCount(2, { timeout: 15_000 });
    await expect(page.getByTestId('task-bulk-terminate')).toBeDisabled();
    await page.getByTestId('task-select-all').check();
    await expect(page.getByTestId('task-selected-count')).toHaveText('2 tasks selected');
    await rows.first().getByTestId('task-row-select').uncheck();
    await expect(page.getByTestId('task-selected-count')).toHaveText('1 task selected');
    await rows.first().getByTestId('task-row-select').check();
    await expect(page.getByTestId('task-selected-count')).toHaveText('2 tasks selected');
  });

  await test.step('terminate asks with the server’s count; confirmed, both are revoked', async () => {
    await page.getByTestId('task-bulk-terminate').click();
    const dialog = page.getByTestId('task-bulk-dialog');
    await expect(dialog).toContainText('Terminate 2 selected tasks?');
    await expect(dialog.getByTestId('task-bulk-preview')).toHaveText('Found 2 of 2 selected tasks. Those already final are left as they are.');
    expect((await getTask(request, ids[0]!))?.state).toBe('active');
    await dialog.getByTestId('task-bulk-confirm').click();
    await expect(page.getByTestId('task-bulk-result')).toHaveText('Revoked 2 of 2 selected tasks; 2 terminated while running.');
    for (const id of ids) await scene.expectState(id, 'revoked', 5000);
    await expect(rows.getByTestId('task-row-state')).toHaveText(['revoked', 'revoked'], { timeout: 10_000 });
    await expect(page.getByTestId('task-selected-count')).toHaveText('0 tasks selected');
    await page.screenshot({ path: 'e2e/screenshots/tasks-bulk-revoke.png', fullPage: true });
  });

  await test.step('the worker lives on', async () => {
    expect(worker.process.exitCode).toBeNull();
    const [next] = await scene.enqueue({ task: 'triage.tasks.noop' });
    await scene.expectState(next!, 'succeeded');
  });
});

/**
 * Journey: from one explorer page, without reloading, an operator terminates one task, asks
 * again for the same (now final) task, then terminates another: every answer is right and
 * the page stays clean (no console errors).
 */
test('revoke repeated from the same page', async ({ page, scene }) => {
  await scene.worker({ concurrency: 2 });
  const ids = await scene.enqueue({ task: 'triage.tasks.sleep', args: [120_000], count: 2 });
  for (const id of ids) await scene.expectState(id, 'active');
  await scene.signIn(`/tasks?queue=${scene.queue}`);
  const row = (id: string) => page.locator(`[data-testid="task-row"][data-task-id="${id}"]`);
  const dialog = page.getByTestId('task-bulk-dialog');
  const terminate = async (id: string, preview: string, result: string) => {
    await row(id).getByTestId('task-row-select').check();
    await expect(page.getByTestId('task-selected-count')).toHaveText('1 task selected');
    await page.getByTestId('task-bulk-terminate').click();
    await expect(dialog.getByTestId('task-bulk-preview')).toHaveText(preview);
    await dialog.getByTestId('task-bulk-confirm').click();
    await expect(page.getByTestId('task-bulk-result')).toHaveText(result);
    await expect(dialog).toHaveCount(0);
  };

  await test.step('the first is terminated', async () => {
    await expect(page.getByTestId('task-row')).toHaveCount(2, { timeout: 15_000 });
    await terminate(ids[0]!, 'Found 1 of 1 selected task. Those already final are left as they are.', 'Revoked 1 of 1 selected task; 1 terminated while running.');
    await scene.expectState(ids[0]!, 'revoked', 5000);
    await expect(row(ids[0]!).getByTestId('task-row-state')).toHaveText('revoked', { timeout: 10_000 });
  });

  await test.step('asked again for the same task: nothing more is done, and it says so', async () => {
    await terminate(ids[0]!, 'Found 1 of 1 selected task. Those already final are left as they are.', 'Revoked 0 of 1 selected task.');
  });

  await test.step('then the other one, still from the same page', async () => {
    await expect(row(ids[1]!).getByTestId('task-row-state')).toHaveText('active');
    await terminate(ids[1]!, 'Found 1 of 1 selected task. Those already final are left as they are.', 'Revoked 1 of 1 selected task; 1 terminated while running.');
    await scene.expectState(ids[1]!, 'revoked', 5000);
    await expect(row(ids[1]!).getByTestId('task-row-state')).toHaveText('revoked', { timeout: 10_000 });
  });
});

/**
 * Journey, on RabbitMQ: two long sleeps run and a short task already succeeded on one queue.
 * The operator filters the explorer to the queue, selects all matching the filter, asks to
 * terminate, reads the server's count of what is not final, confirms, and sees both
 * revoked; the finished one is left alone. Asked again, the server finds nothing left.
 */
test.describe('on rabbitmq', () => {
  test.use({ revokeBroker: 'rabbitmq' });

  test('an operator terminates every task matching the filter', async ({ page, scene }) => {
    await scene.worker({ concurrency: 3 });
    const [done] = await scene.enqueue({ task: 'triage.tasks.noop' });
    await scene.expectState(done!, 'succeeded');
    const ids = await scene.enqueue({ task: 'triage.tasks.sleep', args: [120_000], count: 2 });
    for (const id of ids) await scene.expectState(id, 'active');
    await scene.signIn(`/tasks?queue=${scene.queue}`);
    const rows = page.getByTestId('task-row');
    const dialog = page.getByTestId('task-bulk-dialog');

    await test.step('all matching the filter selected, counted by the server', async () => {
      await expect(rows).toHaveCount(3, { timeout: 15_000 });
      await page.getByTestId('task-select-matching').click();
      await expect(page.getByTestId('task-selected-count')).toHaveText('All 2 matching tasks selected');
      await expect(page.getByTestId('task-select-matching')).toHaveCount(0);
    });

    await test.step('terminate asks with the count; confirmed, both are revoked, the finished one stays', async () => {
      await page.getByTestId('task-bulk-terminate').click();
      await expect(dialog).toContainText('Terminate 2 matching tasks?');
      await expect(dialog.getByTestId('task-bulk-preview')).toHaveText('2 tasks match the filter and are not final yet. Those already final are left as they are.');
      await page.screenshot({ path: 'e2e/screenshots/tasks-revoke-matching-confirm.png', fullPage: true });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: 'e2e/screenshots/tasks-revoke-matching-confirm-dark.png', fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: 'e2e/screenshots/tasks-revoke-matching-confirm-phone.png', fullPage: true });
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.emulateMedia({ colorScheme: 'light' });
      await dialog.getByTestId('task-bulk-confirm').click();
      await expect(page.getByTestId('task-bulk-result')).toHaveText('Revoked 2 of 2 matching tasks; 2 terminated while running.');
      for (const id of ids) await scene.expectState(id, 'revoked', 5000);
      await expect(page.locator(`[data-testid="task-row"][data-task-id="${done}"]`).getByTestId('task-row-state')).toHaveText('succeeded');
      await expect(rows.getByTestId('task-row-state')).toHaveText(['revoked', 'revoked', 'succeeded'], { timeout: 10_000 });
      await expect(page.getByTestId('task-selected-count')).toHaveText('0 tasks selected');
      await page.screenshot({ path: 'e2e/screenshots/tasks-revoke-matching.png', fullPage: true });
    });

    await test.step('asked again: nothing matches, nothing can be confirmed', async () => {
      await page.getByTestId('task-select-matching').click();
      await expect(page.getByTestId('task-selected-count')).toHaveText('All 0 matching tasks selected');
      await expect(page.getByTestId('task-bulk-revoke')).toBeDisabled();
      await page.getByTestId('task-select-clear').click();
      await expect(page.getByTestId('task-selected-count')).toHaveText('0 tasks selected');
    });
  });
});
