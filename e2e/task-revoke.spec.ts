import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, getTask, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: a long report runs on a Triage worker. An operator opens its task page, presses
 * Terminate, confirms, and sees it `revoked` within seconds, with what was done; the worker
 * lives on and runs the next task.
 */

const queue = uniqueQueue('revoke');
let user: TestUser | null = null;
let worker: SpawnedWorker | null = null;

test.afterAll(async ({ request }) => {
  await worker?.stop();
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('terminate a long task from its task page', async ({ page, request }) => {
  const guard = guardConsole(page);
  let id = '';
  await test.step('a long generate_report is running on a worker', async () => {
    await declareRedisQueues(queue);
    // Scale 20: a report takes 60–160 s, far longer than this journey.
    worker = await spawnWorker(request, { broker: 'redis', queues: [queue], env: { TRIAGE_TASK_DURATION_SCALE: '20' } });
    id = (await enqueue(request, 'redis', queue, { task: 'myapp.tasks.generate_report', args: ['quarterly-revenue'], kwargs: { format: 'pdf' }, priority: 3 }))[0]!;
    await expect.poll(async () => (await getTask(request, id))?.state, { timeout: 30_000 }).toBe('active');
  });

  await test.step('its page shows it active, with Revoke and Terminate for an operator', async () => {
    user = await createUser(request, 'operator');
    await logIn(page, user, `/tasks/${id}`);
    await expect(page.getByTestId('task-state')).toHaveText('active');
    await expect(page.getByTestId('revoke-open')).toBeEnabled();
    await expect(page.getByTestId('terminate-open')).toBeEnabled();
  });

  await test.step('Terminate asks first; Cancel changes nothing', async () => {
    await page.getByTestId('terminate-open').click();
    const dialog = page.getByTestId('revoke-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Terminate this task?');
    await expect(dialog).toContainText(id);
    await page.screenshot({ path: 'e2e/screenshots/task-revoke-confirm.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
    expect((await getTask(request, id))?.state).toBe('active');
  });

  await test.step('confirmed, the task is revoked within 5 s and the page says what happened', async () => {
    await page.getByTestId('terminate-open').click();
    const asked = Date.now();
    await page.getByTestId('revoke-dialog').getByTestId('revoke-confirm').click();
    await expect(page.getByTestId('revoke-result')).toHaveText('Revoked; terminated while running.');
    await expect(page.getByTestId('task-state')).toHaveText('revoked', { timeout: 5000 });
    expect(Date.now() - asked).toBeLessThan(5000);
    await expect(page.getByTestId('terminate-open')).toBeDisabled();
    await page.screenshot({ path: 'e2e/screenshots/task-revoke.png', fullPage: true });
  });

  await test.step('the worker lives on and runs the next task', async () => {
    expect(worker!.process.exitCode).toBeNull();
    const [next] = await enqueue(request, 'redis', queue, { task: 'triage.tasks.noop', priority: 5 });
    await expect.poll(async () => (await getTask(request, next!))?.state, { timeout: 30_000 }).toBe('succeeded');
  });
  guard.assertClean();
});
