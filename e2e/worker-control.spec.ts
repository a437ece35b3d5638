import { expect, test } from '@playwright/test';
import { createUser, deleteUser, enqueue, guardConsole, logIn, spawnWorker, uniqueQueue, type SpawnedWorker, type TestUser } from './helpers';
import { declareRedisQueues, removeRedisQueues } from './queue-helpers';

/**
 * Journey: an operator sees a worker with one slot run one long task while three wait; they
 * grow its pool by 2 from the workers page, the worker answers, and its row lists three
 * running tasks, each linking to its task page with its runtime so far.
 */

const queue = uniqueQueue('wctl');
let user: TestUser | null = null;
let worker: SpawnedWorker | null = null;

test.afterAll(async ({ request }) => {
  // A second signal stops it at once: its 20 s tasks go back to the queue, which is removed.
  worker?.process.kill('SIGTERM');
  worker?.process.kill('SIGINT');
  await worker?.stop();
  if (user) await deleteUser(request, user);
  await removeRedisQueues(queue);
});

test('an operator grows a worker’s pool from the workers page and sees its running tasks', async ({ page, request }) => {
  const guard = guardConsole(page);
  user = await createUser(request, 'operator');
  await declareRedisQueues(queue);
  worker = await spawnWorker(request, { broker: 'redis', queues: [queue], concurrency: 1 });
  await logIn(page, user, '/workers');
  await page.goto('/workers');
  const detail = page.getByTestId(`worker-detail-${worker.id}`);
  const running = detail.getByTestId('worker-active-tasks-task');

  await test.step('one slot: one task runs, the others wait in the queue', async () => {
    await enqueue(request, 'redis', queue, { task: 'triage.tasks.sleep', args: [20_000], count: 4 });
    await expect(running).toHaveCount(1, { timeout: 15_000 });
    await expect(running.first()).toContainText('triage.tasks.sleep');
    await expect(running.first()).toContainText(/running \d+s/);
  });

  await test.step('grow by 2: the worker answers, and three tasks run', async () => {
    await detail.getByTestId('worker-control-grow').click();
    const dialog = page.getByTestId('worker-command-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByLabel('Slots to add').fill('2');
    await dialog.getByTestId('worker-command-submit').click();
    await expect(dialog.getByTestId('worker-command-replies')).toContainText('pool_grow: pool will grow');
    await page.screenshot({ path: 'e2e/screenshots/worker-control-grow.png', fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(running).toHaveCount(3, { timeout: 15_000 });
    await expect(page.getByTestId(`worker-row-${worker!.id}`)).toContainText('3');
    await page.screenshot({ path: 'e2e/screenshots/worker-control-running.png', fullPage: true });
  });

  await test.step('a running task links to its task page', async () => {
    const link = running.first().getByRole('link');
    const id = (await link.textContent())!;
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/tasks/${id}$`));
  });
  guard.assertClean();
});
