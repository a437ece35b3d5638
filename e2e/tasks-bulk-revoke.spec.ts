import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, getTask, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: two long sleeps run on one queue. An operator filters the explorer to that queue,
 * ticks both rows, asks to terminate them, reads the server's count, confirms, and sees both
 * `revoked`; the worker lives on.
 */

const queue = uniqueQueue('bulkrev');
let user: TestUser | null = null;
let worker: SpawnedWorker | null = null;

test.afterAll(async ({ request }) => {
  await worker?.stop();
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('an operator terminates selected tasks from the explorer', async ({ page, request }) => {
  const guard = guardConsole(page);
  await declareRedisQueues(queue);
  worker = await spawnWorker(request, { broker: 'redis', queues: [queue], concurrency: 2 });
  const ids = await enqueue(request, 'redis', queue, { task: 'triage.tasks.sleep', args: [120_000], count: 2 });
  for (const id of ids) await expect.poll(async () => (await getTask(request, id))?.state, { timeout: 30_000 }).toBe('active');

  user = await createUser(request, 'operator');
  await logIn(page, user, `/tasks?queue=${queue}`);
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
    for (const id of ids) await expect.poll(async () => (await getTask(request, id))?.state, { timeout: 5000 }).toBe('revoked');
    await expect(rows.getByTestId('task-row-state')).toHaveText(['revoked', 'revoked'], { timeout: 10_000 });
    await expect(page.getByTestId('task-selected-count')).toHaveText('0 tasks selected');
    await page.screenshot({ path: 'e2e/screenshots/tasks-bulk-revoke.png', fullPage: true });
  });

  await test.step('the worker lives on', async () => {
    expect(worker!.process.exitCode).toBeNull();
    const [next] = await enqueue(request, 'redis', queue, { task: 'triage.tasks.noop' });
    await expect.poll(async () => (await getTask(request, next!))?.state, { timeout: 30_000 }).toBe('succeeded');
  });
  guard.assertClean();
});
